// Small builders for the system manifests: plain typed values (cdk8s-style), no cluster needed.
import type { KubeObject, Labels } from '@hostplane/domain';
import type { BootstrapConfig } from '../config/bootstrap-schema.ts';

export const MANAGED = {
  'app.kubernetes.io/managed-by': 'hostplane',
  'app.kubernetes.io/part-of': 'hostplane',
};

export type PodSecurityLevel = 'privileged' | 'baseline' | 'restricted';

/**
 * A system namespace with its Pod Security level enforced; `warn`/`audit` stay at restricted, so
 * anything that could be tightened shows up in `kubectl` warnings and the audit log.
 */
export function namespace(name: string, level: PodSecurityLevel, why: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name,
      labels: {
        ...MANAGED,
        'pod-security.kubernetes.io/enforce': level,
        'pod-security.kubernetes.io/warn': 'restricted',
        'pod-security.kubernetes.io/audit': 'restricted',
      },
      annotations: { 'hostplane.io/pod-security-reason': why },
    },
  };
}

export function meta(name: string, ns: string, app: string, extra: Labels = {}) {
  return { name, namespace: ns, labels: { ...MANAGED, 'app.kubernetes.io/name': app, ...extra } };
}

/** Pod Security "restricted": non-root with a fixed uid, no privilege escalation, no capabilities. */
export function restrictedPod(uid: number) {
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: uid,
    fsGroup: uid,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

export const restrictedContainer = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
  readOnlyRootFilesystem: true,
};

/** Starts as root and drops privileges itself (Postfix's and Dovecot's masters): "baseline". */
export function rootDroppingContainer(capabilities: string[]) {
  return {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'], add: capabilities },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

export function configMap(name: string, ns: string, app: string, data: Record<string, string>): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(name, ns, app), data: sortKeys(data) };
}

/** `data` (base64), not `stringData`: server-side apply then owns exactly the fields it sends. */
export function secret(name: string, ns: string, app: string, values: Record<string, string>): KubeObject {
  const data = Object.fromEntries(
    Object.entries(sortKeys(values)).map(([k, v]) => [k, Buffer.from(v, 'utf8').toString('base64')]),
  );
  return { apiVersion: 'v1', kind: 'Secret', metadata: meta(name, ns, app), type: 'Opaque', data };
}

export function service(
  name: string,
  ns: string,
  app: string,
  ports: { name: string; port: number; targetPort: number; protocol?: 'TCP' | 'UDP' }[],
  headless = false,
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(name, ns, app),
    spec: {
      ...(headless ? { clusterIP: 'None' } : {}),
      selector: { 'app.kubernetes.io/name': app },
      ports: ports.map((p) => ({ protocol: 'TCP', ...p })),
    },
  };
}

export interface WorkloadSpec {
  kind: 'Deployment' | 'StatefulSet';
  name: string;
  ns: string;
  replicas: number;
  podSecurity: Record<string, unknown>;
  containers: Record<string, unknown>[];
  initContainers?: Record<string, unknown>[];
  volumes?: Record<string, unknown>[];
  /** StatefulSet only: one Longhorn volume per replica. */
  claims?: { name: string; size: string; storageClass: string }[];
  serviceAccountName?: string;
  /** Hash of the mounted configuration: a changed ConfigMap rolls the pods. */
  configHash?: string;
  /** Extra /etc/hosts entries (bootstrap.hostAliases). */
  hostAliases?: { ip: string; hostnames: string[] }[];
}

export function workload(spec: WorkloadSpec): KubeObject {
  const labels = { ...MANAGED, 'app.kubernetes.io/name': spec.name };
  const template = {
    metadata: {
      labels,
      ...(spec.configHash ? { annotations: { 'hostplane.io/config-hash': spec.configHash } } : {}),
    },
    spec: {
      ...(spec.serviceAccountName
        ? { serviceAccountName: spec.serviceAccountName }
        : { automountServiceAccountToken: false }),
      securityContext: spec.podSecurity,
      ...(spec.hostAliases?.length ? { hostAliases: spec.hostAliases } : {}),
      ...(spec.initContainers ? { initContainers: spec.initContainers } : {}),
      containers: spec.containers,
      ...(spec.volumes ? { volumes: spec.volumes } : {}),
    },
  };
  const claims = (spec.claims ?? []).map((c) => ({
    metadata: { name: c.name, labels },
    spec: {
      accessModes: ['ReadWriteOnce'],
      storageClassName: c.storageClass,
      resources: { requests: { storage: c.size } },
    },
  }));
  return {
    apiVersion: 'apps/v1',
    kind: spec.kind,
    metadata: meta(spec.name, spec.ns, spec.name),
    spec: {
      replicas: spec.replicas,
      selector: { matchLabels: { 'app.kubernetes.io/name': spec.name } },
      ...(spec.kind === 'StatefulSet' ? { serviceName: spec.name, volumeClaimTemplates: claims } : {}),
      template,
    },
  };
}

/** Keeps `minAvailable` pods of a workload with more than one replica through voluntary disruptions. */
export function podDisruptionBudget(name: string, ns: string, minAvailable = 1): KubeObject {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: meta(name, ns, name),
    spec: { minAvailable, selector: { matchLabels: { 'app.kubernetes.io/name': name } } },
  };
}

/** A chart installed by the k3s helm-controller (HelmChart CRD), release in `targetNamespace`. */
export function helmChart(
  name: string,
  targetNamespace: string,
  chart: { repo: string; chart: string; version: string },
  values: string,
): KubeObject {
  return {
    apiVersion: 'helm.cattle.io/v1',
    kind: 'HelmChart',
    // In kube-system like k3s' own charts: the helm-controller's install Job runs as root, which a
    // restricted target namespace would reject.
    metadata: meta(name, 'kube-system', name),
    spec: {
      repo: chart.repo,
      chart: chart.chart,
      version: chart.version,
      targetNamespace,
      createNamespace: false,
      valuesContent: values,
    },
  };
}

export function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export function env(name: string, value: string) {
  return { name, value };
}

export function envFromSecret(name: string, secretName: string, key: string) {
  return { name, valueFrom: { secretKeyRef: { name: secretName, key } } };
}

/** Writable scratch folders for containers with a read-only root file system. */
export function scratch(...names: string[]) {
  return names.map((name) => ({ name, emptyDir: {} }));
}

/** An Ingress on the websecure entry point with a certificate from the cluster's resolver: each path
 * prefix of `host` to a Service port (longest prefix wins, as Traefik and every Ingress controller match). */
export function tlsIngress(
  config: BootstrapConfig,
  name: string,
  ns: string,
  host: string,
  routes: { path: string; service: string; port: number }[],
): KubeObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: {
      ...meta(name, ns, name),
      annotations: {
        'traefik.ingress.kubernetes.io/router.entrypoints': config.ingress.websecureEntrypoint,
        'traefik.ingress.kubernetes.io/router.tls': 'true',
        'traefik.ingress.kubernetes.io/router.tls.certresolver': config.ingress.certResolver,
      },
    },
    spec: {
      ingressClassName: config.ingress.className,
      rules: [
        {
          host,
          http: {
            paths: routes.map((r) => ({
              path: r.path,
              pathType: 'Prefix',
              backend: { service: { name: r.service, port: { number: r.port } } },
            })),
          },
        },
      ],
      tls: [{ hosts: [host] }],
    },
  };
}

/**
 * A platform CronJob (the platform backups): one run at a time, UTC schedule, a day's start deadline,
 * three runs of history, two retries, no service-account token. `pod` holds the rest of the pod spec.
 */
export function platformCronJob(
  name: string,
  ns: string,
  schedule: string,
  pod: Record<string, unknown>,
): KubeObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: meta(name, ns, name),
    spec: {
      schedule,
      timeZone: 'Etc/UTC',
      concurrencyPolicy: 'Forbid',
      startingDeadlineSeconds: 3600,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 3,
      jobTemplate: {
        spec: {
          backoffLimit: 2,
          template: {
            metadata: { labels: { ...MANAGED, 'app.kubernetes.io/name': name } },
            spec: { restartPolicy: 'OnFailure', automountServiceAccountToken: false, ...pod },
          },
        },
      },
    },
  };
}
