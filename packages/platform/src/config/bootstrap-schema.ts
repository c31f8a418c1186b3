import { z } from 'zod';
import { TRAEFIK_IMAGE } from '../traefik/version.ts';
import { VELERO_AWS_PLUGIN_IMAGE, VELERO_IMAGE } from '../velero/version.ts';
import { platformConfigSchema } from './schema.ts';

// `hostplane bootstrap --config F`: the tenant-facing platform config plus what installing the system
// namespaces needs (DESIGN.md §1). Every upstream chart and image is pinned here; secrets come from the
// file (rendering stays deterministic: nothing is generated), so keep the file out of version control.

const fqdn = z
  .string()
  .regex(/^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'a lower-case host name');
const secret = z.string().regex(/^[A-Za-z0-9_.~+/=-]{16,128}$/, '16–128 characters of [A-Za-z0-9_.~+/=-]');
const pinnedImage = z
  .string()
  .regex(/^[^\s:@]+:[A-Za-z0-9_][A-Za-z0-9_.-]*(@sha256:[a-f0-9]{64})?$/, 'an image with a tag')
  .refine((image) => /:[^/]*[0-9][^/]*$/.test(image) && !/:latest/.test(image), 'pin a version tag');
const semver = z.string().regex(/^v?\d+\.\d+\.\d+$/, 'an exact chart version (no ranges)');
const chart = (repo: string, name: string, version: string) =>
  z
    .object({
      repo: z.url().default(repo),
      chart: z.string().default(name),
      version: semver.default(version),
    })
    .prefault({});

const quantity = z.string().regex(/^\d+(\.\d+)?(m|Ki|Mi|Gi)?$/, 'a Kubernetes quantity');
const resourcesSchema = z.object({
  requests: z.object({ cpu: quantity, memory: quantity }),
  limits: z.object({ memory: quantity }),
});

/** The install steps of DESIGN.md §1, in order (`bootstrap.steps` picks some; all by default). */
export const BOOTSTRAP_STEPS = [
  'storage',
  'dns',
  'mail',
  'ingress',
  'backup',
  'monitoring',
  'panel',
] as const;
export type BootstrapStepName = (typeof BOOTSTRAP_STEPS)[number];

const hostPort = z
  .string()
  .regex(/^(\d{1,3}(\.\d{1,3}){3}|[a-z0-9.-]+):\d{1,5}$/, 'host:port (an IPv4 address or a host name)');
const port = z.number().int().min(1).max(65535);

/**
 * Systems the panel uses that run outside the cluster (a managed PostgreSQL; locally, the stack's host
 * processes). Each one given replaces the in-cluster address; `panelDatabaseUrl` also drops the
 * panel's own PostgreSQL StatefulSet. URLs carry credentials: they go into Secrets, never a ConfigMap.
 */
const externalSchema = z
  .object({
    panelDatabaseUrl: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
    mailDatabaseUrl: z.url({ protocol: /^mysql$/ }).optional(),
    pdnsApiUrl: z.url({ protocol: /^https?$/ }).optional(),
    /** PowerDNS' database outside the cluster (a managed MariaDB/MySQL; locally the stack's, so the
     * stack's own PowerDNS serves the same zones): dns-system's PowerDNS runs over it (no `pdns-db`
     * StatefulSet; the schema is loaded when its tables are missing), and the platform backup dumps it
     * (its DNSSEC keys), also when PowerDNS itself runs outside (`pdnsApiUrl`). */
    pdnsDatabaseUrl: z.url({ protocol: /^mysql$/ }).optional(),
    /** PowerDNS' DNS port (host checks of the TLS gate, DKIM publication checks). */
    pdnsDnsAddr: hostPort.optional(),
    /** A recursive resolver for domain ownership checks (default: the pod's resolver). */
    resolverAddr: hostPort.optional(),
    /** Dovecot's doveadm HTTP API (mailbox quota usage, read live by the API). */
    doveadm: z.object({ url: z.url({ protocol: /^https?$/ }), apiKey: z.string().min(16) }).optional(),
  })
  .prefault({});

export const bootstrapSectionSchema = z.object({
  /** Which system namespaces this install puts into the cluster, in DESIGN.md §1 order (default: all). */
  steps: z
    .array(z.enum(BOOTSTRAP_STEPS))
    .min(1)
    .default([...BOOTSTRAP_STEPS]),
  external: externalSchema,
  /** Extra /etc/hosts entries of the platform's pods (Traefik, panel): names with no DNS record. */
  hostAliases: z
    .array(z.object({ ip: z.ipv4(), hostnames: z.array(z.string().regex(/^[a-z0-9.-]+$/)).min(1) }))
    .default([]),
  /** How the edge (Traefik) is reached from outside. */
  edge: z
    .object({
      /** LoadBalancer (k3s' servicelb, MetalLB, a cloud), NodePort, or ClusterIP with hostPorts. */
      serviceType: z.enum(['LoadBalancer', 'NodePort', 'ClusterIP']).default('LoadBalancer'),
      /** Bind Traefik's web and websecure entry points on every node's address (no load balancer). */
      hostPorts: z
        .object({
          web: port,
          websecure: port,
          /** The mail entry points bound on the node too (each optional; e.g. smtp: 25, imaps: 993).
           * Traefik forwards them to Postfix and Dovecot with a PROXY v2 header (the client's address). */
          mail: z
            .strictObject({
              smtp: port,
              submission: port,
              smtps: port,
              imap: port,
              imaps: port,
              pop3: port,
              pop3s: port,
            })
            .partial()
            .optional(),
          /** The DNS entry point (UDP and TCP) bound on the node, e.g. 53: Traefik forwards it to PowerDNS. */
          dns: port.optional(),
        })
        .optional(),
    })
    .prefault({}),
  /** Host names of the platform (each must resolve to publicAddresses for ACME to succeed). */
  /** `webmail` defaults to `webmail.` + the panel host's parent domain. */
  hosts: z.object({ panel: fqdn, mail: fqdn, webmail: fqdn.optional() }),
  acme: z.object({
    email: z.email(),
    caServer: z.url().default('https://acme-v02.api.letsencrypt.org/directory'),
    /** Extra roots the ACME client trusts for caServer (PEM), e.g. the local stack's Pebble. */
    trustedRootsPem: z.string().includes('-----BEGIN CERTIFICATE-----').optional(),
  }),
  /** Helm charts installed through the k3s helm-controller (HelmChart objects). Pinned versions.
   * Traefik has none: the platform renders its objects itself, the same ones the local node runs. */
  charts: z
    .object({
      longhorn: chart('https://charts.longhorn.io', 'longhorn', '1.12.1'),
      kubePrometheusStack: chart(
        'https://prometheus-community.github.io/helm-charts',
        'kube-prometheus-stack',
        '79.7.1',
      ),
    })
    .prefault({}),
  /** Images of what Hostplane runs itself (the charts' images are pinned through their values). */
  systemImages: z
    .object({
      pdns: pinnedImage.default('docker.io/powerdns/pdns-auth-49:4.9.8'),
      mariadb: pinnedImage.default('docker.io/library/mariadb:11.4.7'),
      postfix: pinnedImage.default('ghcr.io/hostplane/postfix:3.7.11-1'),
      // Roundcube (Debian roundcube-core 1.6.5) with php-fpm and nginx: one image, two containers.
      webmail: pinnedImage.default('ghcr.io/hostplane/webmail:1.6.5-1'),
      dovecot: pinnedImage.default('docker.io/dovecot/dovecot:2.3.21.1'),
      rspamd: pinnedImage.default('docker.io/rspamd/rspamd:3.12.1'),
      redis: pinnedImage.default('docker.io/library/redis:7.4.5-alpine'),
      // Our own (packages/localstack mail-dns-images.ts): DKIM Secrets → Rspamd's key files + selector map.
      dkimSync: pinnedImage.default('ghcr.io/hostplane/dkim-sync:1.0'),
      postgres: pinnedImage.default('docker.io/library/postgres:16.9-alpine'),
      panel: pinnedImage.default('ghcr.io/hostplane/panel:0.1.0'),
      /** The Next.js panel (its own Deployment behind the same Ingress as the API). */
      web: pinnedImage.default('ghcr.io/hostplane/web:0.1.0'),
      traefik: pinnedImage.default(TRAEFIK_IMAGE),
      // Velero has no chart: the platform renders its objects (bootstrap/backup.ts) at these versions.
      velero: pinnedImage.default(VELERO_IMAGE),
      veleroAwsPlugin: pinnedImage.default(VELERO_AWS_PLUGIN_IMAGE),
      /** Prometheus alone (`monitoring.mode: prometheus`, the local profile's monitoring): our Debian build. */
      prometheus: pinnedImage.default('ghcr.io/hostplane/prometheus:2.42.0-1'),
    })
    .prefault({}),
  /** Velero's S3-compatible storage (DESIGN.md §1 backup-system). */
  backup: z.object({
    storageLocation: z.string().default('default'),
    bucket: z.string().min(3),
    prefix: z.string().default('hostplane'),
    region: z.string().default('us-east-1'),
    /** For MinIO, Ceph RGW, Wasabi…; empty for AWS itself. */
    s3Url: z.url().optional(),
    accessKeyId: z.string().min(1),
    secretAccessKey: z.string().min(1),
    /** The kubelet's root folder on the nodes: the node agent reads pod volumes under `<it>/pods`. */
    kubeletRootDir: z
      .string()
      .regex(/^\/[^\s]*[^/\s]$/, 'an absolute path')
      .default('/var/lib/kubelet'),
    resources: z.object({ server: resourcesSchema, nodeAgent: resourcesSchema }).prefault({
      server: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '512Mi' } },
      nodeAgent: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '1Gi' } },
    }),
    /** The platform's own databases (panel PostgreSQL, mail DB, PowerDNS DB) dumped to the same bucket. */
    platform: z
      .object({
        /** Cron schedule of `hostplane backup-platform` (a CronJob in backup-system). */
        schedule: z
          .string()
          .regex(/^(\S+\s+){4}\S+$/, 'a five-field cron schedule')
          .default('17 3 * * *'),
        /** Platform backups older than this are deleted after each run. */
        retentionDays: z.number().int().min(1).max(3650).default(14),
        /** Object key prefix inside the bucket. */
        prefix: z
          .string()
          .regex(/^[a-z0-9][a-z0-9._/-]*[a-z0-9]$/, 'a key prefix')
          .default('platform'),
      })
      .prefault({}),
  }),
  /**
   * monitoring-system. `kube-prometheus-stack` (production): the upstream chart through the
   * helm-controller (Prometheus operator, Prometheus, Grafana, node-exporter, kube-state-metrics).
   * `prometheus`: Prometheus alone, rendered by the platform (one Deployment of
   * `systemImages.prometheus` scraping the panel's and Traefik's metrics): the local profile's
   * substitute where no chart repository is reachable (docs/install.md, "Local equivalents").
   */
  monitoring: z
    .object({
      mode: z.enum(['kube-prometheus-stack', 'prometheus']).default('kube-prometheus-stack'),
      /** `prometheus` mode: how long samples are kept (its data is an emptyDir: a restart starts afresh). */
      retention: z
        .string()
        .regex(/^\d+[hdw]$/, 'a duration such as 12h, 2d or 1w')
        .default('2d'),
      /** `prometheus` mode: the Prometheus container's resources. */
      resources: resourcesSchema.prefault({
        requests: { cpu: '100m', memory: '256Mi' },
        limits: { memory: '1Gi' },
      }),
    })
    .prefault({}),
  /** Sizes of the system volumes (Longhorn PVCs). */
  volumes: z
    .object({
      pdnsDb: z.string().default('2Gi'),
      mailDb: z.string().default('2Gi'),
      maildirs: z.string().default('50Gi'),
      postfixQueue: z.string().default('2Gi'),
      panelDb: z.string().default('5Gi'),
    })
    .prefault({}),
  /** The cluster's mail filter. `greylisting` (Rspamd's greylist module: a first-time sender, address
   * and recipient triplet is answered 451 4.7.1 for 5 minutes) is on by default; providers who would
   * rather not delay first mail switch it off. */
  mail: z
    .object({
      greylisting: z.boolean().default(true),
    })
    .prefault({}),
  longhornReplicas: z.number().int().min(1).max(5).default(1),
  panelReplicas: z.number().int().min(1).max(20).default(2),
  /** The SFTP gateway (docs/sftp.md): public port, Service type, replicas, the Secret of its host keys. */
  sftp: z
    .object({
      port: z.number().int().min(1).max(65_535).default(22),
      serviceType: z.enum(['LoadBalancer', 'NodePort']).default('LoadBalancer'),
      replicas: z.number().int().min(1).max(20).default(2),
      hostKeySecret: z.string().default('sftp-host-keys'),
    })
    .prefault({}),
  /** Secret values (not generated, so rendering is deterministic). */
  secrets: z.object({
    pdnsApiKey: secret,
    pdnsDbPassword: secret,
    mailDbRootPassword: secret,
    /** The panel's read-write account on the mail tables. */
    mailDbPassword: secret,
    /** Postfix's and Dovecot's read-only account. */
    mailDbReadonlyPassword: secret,
    postgresPassword: secret,
    /** Encrypts TOTP secrets at rest (the panel's SECRET_KEY). */
    panelSecretKey: secret,
    grafanaAdminPassword: secret,
    /** TSIG secret (base64) of the key that may update only `_acme-challenge` names in PowerDNS;
     * with it, the edge gets a DNS-01 resolver for wildcard hosts (DESIGN.md §9 "DNS-01"). */
    acmeTsigSecret: z
      .string()
      .regex(/^[A-Za-z0-9+/]{22,}={0,2}$/, 'a base64 TSIG secret (e.g. openssl rand -base64 32)')
      .optional(),
  }),
});

export const bootstrapConfigSchema = platformConfigSchema.extend({ bootstrap: bootstrapSectionSchema });
export type BootstrapConfig = z.infer<typeof bootstrapConfigSchema>;
export type BootstrapConfigInput = z.input<typeof bootstrapConfigSchema>;

/** Parses a bootstrap configuration or throws with every bad field named. */
export function parseBootstrapConfig(input: unknown): BootstrapConfig {
  const result = bootstrapConfigSchema.safeParse(input ?? {});
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new Error(`invalid bootstrap config:\n  ${lines.join('\n  ')}`);
  }
  return result.data;
}
