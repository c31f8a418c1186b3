// What `hostplane bootstrap --apply` checks before it writes anything: the cluster must have what the
// rendered steps rely on but do not install themselves. Each problem says what to do about it.
import type { KubeObject } from '@hostplane/domain';
import type { BootstrapStep } from '@hostplane/platform';
import { KINDS, type KubeApi } from '@hostplane/provisioner-k8s';

const DEFAULT_CLASS_ANNOTATION = 'storageclass.kubernetes.io/is-default-class';
export const HELM_CHART_CRD = 'helmcharts.helm.cattle.io';

/** The storage classes the rendered claims ask for ('' for a claim that names none: the default). */
function claimedClasses(objects: KubeObject[]): Set<string> {
  const classes = new Set<string>();
  for (const o of objects) {
    const spec = (o.spec ?? {}) as {
      storageClassName?: string;
      volumeClaimTemplates?: { spec?: { storageClassName?: string } }[];
    };
    if (o.kind === 'PersistentVolumeClaim') classes.add(spec.storageClassName ?? '');
    if (o.kind === 'StatefulSet')
      for (const t of spec.volumeClaimTemplates ?? []) classes.add(t.spec?.storageClassName ?? '');
  }
  return classes;
}

/** A StorageClass the steps create themselves: Longhorn's (its chart's persistence.defaultClass). */
function renderedClasses(objects: KubeObject[]): Set<string> {
  const classes = new Set<string>();
  for (const o of objects) {
    if (o.kind === 'StorageClass') classes.add(o.metadata.name);
    if (o.kind === 'HelmChart' && (o.spec as { chart?: string } | undefined)?.chart === 'longhorn')
      classes.add('longhorn');
  }
  return classes;
}

async function storageProblems(kube: KubeApi, objects: KubeObject[]): Promise<string[]> {
  const wanted = claimedClasses(objects);
  if (wanted.size === 0) return [];
  const provided = renderedClasses(objects);
  const live = await kube.list(KINDS.StorageClass, null);
  const names = new Set(live.map((c) => c.metadata.name));
  const defaults = live.filter((c) => c.metadata.annotations?.[DEFAULT_CLASS_ANNOTATION] === 'true');
  const problems: string[] = [];
  for (const name of [...wanted].sort()) {
    if (name === '' && defaults.length === 0)
      problems.push(
        'no default StorageClass: volumes that name no class would never bind. Mark one default ' +
          `(kubectl annotate storageclass NAME ${DEFAULT_CLASS_ANNOTATION}=true), install a provisioner ` +
          "(k3s's local-path, or Longhorn with 'storage' in bootstrap.steps), or set storage.storageClass",
      );
    if (name !== '' && !names.has(name) && !provided.has(name))
      problems.push(
        `no StorageClass "${name}" (storage.storageClass) and no step installs it: create it, keep ` +
          "'storage' in bootstrap.steps for Longhorn, or set storage.storageClass to one of: " +
          `${[...names].sort().join(', ') || '(the cluster has none)'}` +
          (defaults.length ? ` (default: ${defaults.map((d) => d.metadata.name).join(', ')})` : ''),
      );
  }
  return problems;
}

async function helmControllerProblems(kube: KubeApi, objects: KubeObject[]): Promise<string[]> {
  const charts = objects.filter((o) => o.kind === 'HelmChart').map((o) => o.metadata.name);
  if (charts.length === 0) return [];
  if (await kube.get(KINDS.CustomResourceDefinition, null, HELM_CHART_CRD)) return [];
  return [
    `HelmChart objects (${charts.join(', ')}) need the helm-controller, and the cluster has no ` +
      `${HELM_CHART_CRD} CRD: on k3s it is built in (do not start k3s with --disable-helm-controller); ` +
      'on another cluster install https://github.com/k3s-io/helm-controller first, or leave the steps ' +
      'that use charts out of bootstrap.steps',
  ];
}

/** A bundled ingress controller that would hold 80/443 and the IngressClass: k3s's Traefik. */
async function ingressProblems(kube: KubeApi, steps: BootstrapStep[]): Promise<string[]> {
  if (!steps.some((s) => s.name === 'ingress')) return [];
  const found = [
    (await kube.get(KINDS.Deployment, 'kube-system', 'traefik')) ? 'Deployment kube-system/traefik' : '',
    (await kube.get(KINDS.HelmChart, 'kube-system', 'traefik').catch(() => null))
      ? 'HelmChart kube-system/traefik'
      : '',
  ].filter(Boolean);
  if (found.length === 0) return [];
  return [
    `a bundled ingress runs already (${found.join(', ')}): it holds ports 80/443 and the IngressClass ` +
      "the platform's Traefik (ingress-system) installs. On k3s start the server with --disable=traefik " +
      '(or `disable: [traefik]` in /etc/rancher/k3s/config.yaml), delete HelmChart kube-system/traefik, ' +
      'then run bootstrap again',
  ];
}

/** Everything the cluster lacks for these steps; empty when the install may go ahead. */
export async function checkPrerequisites(kube: KubeApi, steps: BootstrapStep[]): Promise<string[]> {
  const objects = steps.flatMap((s) => s.objects);
  return [
    ...(await storageProblems(kube, objects)),
    ...(await helmControllerProblems(kube, objects)),
    ...(await ingressProblems(kube, steps)),
  ];
}
