// The reconcile targets of `hostplane serve`, each built from its own variables and all of them
// from one platform config, so that the DNS zones and the Kubernetes TLS gate agree on the
// platform's public addresses.
import { readFileSync } from 'node:fs';
import { type CustomerSnapshot, zoneApexes } from '@hostplane/domain';
import { LOCAL_STORAGE_CLASS } from '@hostplane/localstack';
import { type PlatformConfig, parsePlatformConfig } from '@hostplane/platform';
import { type DnsZones, RecursiveOwnershipLookup } from '@hostplane/provisioner-dns';
import type { Target } from '@hostplane/reconcile';
import { parse as parseYaml } from 'yaml';

export class ServeConfigError extends Error {}

/**
 * Used when PLATFORM_CONFIG is not set: the schema's defaults plus the local stack's public address
 * (the local PowerDNS answers 127.0.0.1 for hosted names, so the TLS gate opens there) and the
 * StorageClass the local stack provisions `local` volumes behind (its real node).
 */
export const LOCAL_PLATFORM_CONFIG_INPUT = {
  publicAddresses: { ipv4: ['127.0.0.1'] },
  storage: { storageClass: LOCAL_STORAGE_CLASS },
};

/**
 * How the worker reaches Kubernetes: KUBECONFIG (locally), else the pod's service account when it runs
 * in a cluster (KUBERNETES_SERVICE_HOST, set by the kubelet), else not at all (no Kubernetes targets).
 */
export function kubernetesAccess(env: {
  KUBECONFIG?: string | undefined;
  KUBERNETES_SERVICE_HOST?: string | undefined;
}): { kubeconfig?: string } | undefined {
  if (env.KUBECONFIG) return { kubeconfig: env.KUBECONFIG };
  if (env.KUBERNETES_SERVICE_HOST) return {};
  return undefined;
}

/**
 * In a cluster the local defaults (public address 127.0.0.1, the stack's nameservers) would be wrong
 * without a word: PLATFORM_CONFIG is required there (bootstrap renders it into a ConfigMap).
 */
export function requirePlatformConfigInCluster(env: {
  PLATFORM_CONFIG?: string | undefined;
  KUBECONFIG?: string | undefined;
  KUBERNETES_SERVICE_HOST?: string | undefined;
}): string | undefined {
  if (!env.PLATFORM_CONFIG && !env.KUBECONFIG && env.KUBERNETES_SERVICE_HOST)
    throw new ServeConfigError(
      'PLATFORM_CONFIG is required in a cluster (public addresses, nameservers): `hostplane bootstrap` renders it into the ConfigMap platform-config',
    );
  return env.PLATFORM_CONFIG;
}

/** Reads PLATFORM_CONFIG (YAML or JSON; JSON is YAML), or the local default; throws naming bad fields.
 * The local default links the stack's Roundcube (WEBMAIL_URL of `stack env`) as the platform webmail. */
export function loadPlatformConfig(path: string | undefined, localWebmailUrl?: string): PlatformConfig {
  if (!path)
    return parsePlatformConfig({
      ...LOCAL_PLATFORM_CONFIG_INPUT,
      ...(localWebmailUrl ? { webmailUrl: localWebmailUrl } : {}),
    });
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`PLATFORM_CONFIG ${path} cannot be read: ${(err as Error).message}`, { cause: err });
  }
  return parsePlatformConfig(parseYaml(text) ?? {});
}

export type DsSink = (customerId: number, zones: { name: string; ds: object[] | null }[]) => Promise<void>;

/**
 * After a converged DNS pass, reads the DS records of the customer's signed zones and hands them to
 * the sink (the domains rows), so the API can show them without calling PowerDNS in a request.
 */
export function withDsRecords(target: Target, zones: Pick<DnsZones, 'dsRecords'>, save: DsSink): Target {
  return {
    name: target.name,
    async run(snapshot: CustomerSnapshot, ctx) {
      const outcome = await target.run(snapshot, ctx);
      if (snapshot.deleting || outcome.status !== 'True') return outcome;
      const hosted = snapshot.domains.filter((d) => d.dns);
      const apexes = new Set(zoneApexes(hosted.map((d) => d.name)));
      const statuses: { name: string; ds: object[] | null }[] = [];
      for (const domain of hosted) {
        const signed = domain.dnssec && apexes.has(domain.name);
        statuses.push({
          name: domain.name,
          ds: signed ? await zones.dsRecords(domain.name, ctx.signal) : null,
        });
      }
      await save(snapshot.id, statuses);
      return outcome;
    },
  };
}

/**
 * The worker's ownership checks: through DNS_RESOLVER_ADDR (the local internet's recursor), else the
 * platform config's resolver, else the system's resolvers (in a pod: cluster DNS, which recurses).
 * Never the platform's own authoritative server: the customer controls what it answers.
 */
export function domainVerifierOf(resolverAddress: string | undefined, platform: PlatformConfig) {
  return {
    lookup: new RecursiveOwnershipLookup(resolverAddress ?? platform.kubernetes.resolverAddress),
    nameservers: platform.dns.nameservers,
    policy: platform.verification,
  };
}
