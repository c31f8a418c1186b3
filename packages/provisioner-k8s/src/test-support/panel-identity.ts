// Integration-test helpers: the panel's own identity in the local stack, so tests run the
// reconciler with the service account's token and RBAC, never as cluster-admin.
import { defaultPanelRbacOptions, panelRbacManifests } from '@hostplane/platform';
import { KubeHttpClient } from '../client/kube-client.ts';

/** Applies the panel's RBAC manifests as admin, mints a token (TokenRequest API), returns a client with it. */
export async function panelKubeClient(
  admin: KubeHttpClient,
  kubeconfigFile: string,
): Promise<KubeHttpClient> {
  for (const object of panelRbacManifests()) await admin.apply(object);
  const { namespace, serviceAccount } = defaultPanelRbacOptions;
  const token = await admin.createServiceAccountToken(namespace, serviceAccount, 3600);
  return KubeHttpClient.fromToken(kubeconfigFile, token);
}
