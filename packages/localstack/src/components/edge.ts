import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  dns01Resolver,
  parsePlatformConfig,
  renderTraefikYaml,
  type TraefikStaticSettings,
  traefikDns01Env,
  traefikIngressClass,
  traefikRbac,
} from '@hostplane/platform';
import { KubernetesObjectApi, PatchStrategy } from '@kubernetes/client-node';
import type { Component, StackContext } from '../component.ts';
import { inClusterState } from '../local-bootstrap.ts';
import { STACK_HOST } from '../ports.ts';
import { writeFileIfChanged } from '../state.ts';
import { adminKubeConfig, kubeconfigPath, probeOk, writeKubeconfig } from './kube-access.ts';
import { ensureKubePki, kubePki } from './kube-pki.ts';
import { acmeTsigKey } from './pdns.ts';
import { acmeRootCaPath, pebbleDirectoryUrl } from './pebble.ts';

// The edge: Traefik built from the pinned module version (go-programs.ts) with the static configuration
// the platform renders for ingress-system (renderTraefikStaticConfig), only the addresses differ.
// INTERIM PROFILE: until the real node runs pods, Traefik runs here as a host process on loopback,
// watching the local apiserver with the identity of ingress-system/traefik and the ClusterRole the
// platform renders; backends must be reachable from the host (ExternalName Services). Once the node is
// there, `bootstrap --local` runs the same objects as a pod and this component goes.

const NAME = 'traefik';
const FIELD_MANAGER = 'hostplane-localstack';

function dirs(ctx: StackContext) {
  const root = path.join(ctx.stateDir, NAME);
  return { root, config: path.join(root, 'traefik.yaml'), accessLog: path.join(root, 'access.log') };
}

/** The local edge's static settings: the platform's defaults (names, resolver), loopback addresses. */
export function localTraefikSettings(ctx: StackContext): TraefikStaticSettings {
  const { ingress } = parsePlatformConfig({});
  const at = (port: number) => `${STACK_HOST}:${port}`;
  return {
    web: { name: ingress.webEntrypoint, address: at(ctx.ports.edgeHttp) },
    websecure: { name: ingress.websecureEntrypoint, address: at(ctx.ports.edgeHttps) },
    internal: { name: 'internal', address: at(ctx.ports.edgeInternal) },
    tcp: [],
    ingressClass: ingress.className,
    acme: {
      email: 'hostmaster@hostplane.test',
      caServer: pebbleDirectoryUrl(ctx),
      storage: path.join(dirs(ctx).root, 'acme.json'),
      httpResolver: ingress.certResolver,
      dns01: {
        resolver: dns01Resolver(ingress.certResolver),
        resolvers: [`${STACK_HOST}:${ctx.ports.pdnsDns}`],
        // lego would ask the zone's NS names on port 53; the stack's PowerDNS caches nothing, so an
        // update is visible at once.
        checkPropagation: false,
      },
    },
    logLevel: 'INFO',
    accessLogFile: dirs(ctx).accessLog,
  };
}

function dns01Env(ctx: StackContext): Record<string, string> {
  const key = acmeTsigKey(ctx);
  return {
    ...traefikDns01Env({
      nameserver: `${STACK_HOST}:${ctx.ports.pdnsDns}`,
      tsigKeyName: key.name,
      tsigAlgorithm: key.algorithm,
    }),
    RFC2136_TSIG_SECRET: key.secret,
  };
}

export function renderLocalTraefikYaml(ctx: StackContext): string {
  return renderTraefikYaml(localTraefikSettings(ctx));
}

/**
 * Pebble keeps its accounts and roots in memory: a new Pebble run knows neither the edge's ACME
 * account nor the certificates in acme*.json. The stores are kept only while the root they were made
 * under is still Pebble's (a copy of it sits beside them); otherwise they go before Traefik starts.
 */
async function forgetStaleAcmeStores(ctx: StackContext): Promise<void> {
  const root = await readFile(acmeRootCaPath(ctx.stateDir), 'utf8').catch(() => '');
  const marker = path.join(dirs(ctx).root, 'acme-ca-root.pem');
  if (root === (await readFile(marker, 'utf8').catch(() => ''))) return;
  for (const file of await readdir(dirs(ctx).root)) {
    if (/^acme.*\.json$/.test(file)) await rm(path.join(dirs(ctx).root, file), { force: true });
  }
  await writeFile(marker, root, { mode: 0o600 });
}

/** The cluster-scoped objects the in-cluster Traefik gets from `bootstrap` (its RBAC, the IngressClass). */
async function applyClusterObjects(ctx: StackContext): Promise<void> {
  const { ingress } = parsePlatformConfig({});
  const api = KubernetesObjectApi.makeApiClient(adminKubeConfig(ctx.stateDir));
  const objects = [
    ...traefikRbac().filter((o) => o.kind !== 'ServiceAccount'),
    traefikIngressClass(ingress.className),
  ];
  for (const object of objects) {
    await api.patch(object, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply);
  }
}

/** After `bootstrap --local --apply` the edge is the in-cluster Traefik (hostPorts on the node). */
const inCluster = (ctx: StackContext): boolean => inClusterState(ctx.stateDir)?.edge === 'in-cluster';

export const edge: Component = {
  name: NAME,
  dependsOn: ['kube-apiserver', 'pebble'],
  async prepare(ctx) {
    if (inCluster(ctx)) return;
    await ensureKubePki(ctx.stateDir);
    await mkdir(dirs(ctx).root, { recursive: true, mode: 0o750 });
    await writeKubeconfig(ctx.stateDir, NAME);
    writeFileIfChanged(dirs(ctx).config, renderLocalTraefikYaml(ctx), 0o600);
    await forgetStaleAcmeStores(ctx);
    await applyClusterObjects(ctx);
  },
  processes(ctx) {
    if (inCluster(ctx)) return [];
    return [
      {
        name: NAME,
        command: ctx.binaries.traefik,
        args: [`--configFile=${dirs(ctx).config}`],
        env: {
          KUBECONFIG: kubeconfigPath(ctx.stateDir, NAME),
          // lego (Traefik's ACME client) reaches Pebble's directory over HTTPS signed by the stack CA.
          LEGO_CA_CERTIFICATES: kubePki(ctx.stateDir).caCert,
          // DNS-01: RFC 2136 updates to the stack's PowerDNS, signed with the ACME TSIG key.
          ...dns01Env(ctx),
        },
      },
    ];
  },
  healthy(ctx) {
    // In the cluster, Traefik is a workload: `hostplane bootstrap status` reports it.
    if (inCluster(ctx)) return Promise.resolve(true);
    return probeOk(ctx.stateDir, `http://${STACK_HOST}:${ctx.ports.edgeInternal}/ping`, /^OK$/);
  },
  address(ctx) {
    return `http ${STACK_HOST}:${ctx.ports.edgeHttp}, https ${STACK_HOST}:${ctx.ports.edgeHttps}`;
  },
};
