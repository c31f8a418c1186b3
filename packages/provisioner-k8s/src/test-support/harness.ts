// Shared setup of the Kubernetes integration tests: admin and panel clients, the target under test
// (its volumes from the stack's own provisioner, as under `npm start`), and a pass loop that waits the way the engine would (requeue).
import type { CustomerSnapshot, DomainRow, SiteRow } from '@hostplane/domain';
import { parsePlatformConfig } from '@hostplane/platform';
import type { PassContext, TargetOutcome } from '@hostplane/reconcile';
import { LOCAL_STORAGE_CLASS, loadStackEnv, readUntil, type StackEnv } from '@hostplane/testing';
import { KubeHttpClient } from '../client/kube-client.ts';
import { DnsHostResolver } from '../host-resolver.ts';
import type { SiteStatus } from '../site-status.ts';
import { createKubernetesTarget, type KubernetesTarget } from '../target.ts';
import { panelKubeClient } from './panel-identity.ts';

export const PLATFORM_IPV4 = '203.0.113.10';

export interface Harness {
  env: StackEnv;
  admin: KubeHttpClient;
  panel: KubeHttpClient;
  target: KubernetesTarget;
  config: ReturnType<typeof parsePlatformConfig>;
  siteStatus: Map<number, SiteStatus[]>;
  log: { lines: { level: string; obj: object; msg?: string }[] } & PassContext['log'];
  run: string;
  close(): Promise<void>;
}

export function testLog(): Harness['log'] {
  const lines: Harness['log']['lines'] = [];
  const at = (level: string) => (obj: object, msg?: string) => void lines.push({ level, obj, msg });
  return { lines, info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug') };
}

export async function startHarness(): Promise<Harness> {
  const env = loadStackEnv();
  const admin = KubeHttpClient.fromKubeconfigFile(env.KUBECONFIG);
  const panel = await panelKubeClient(admin, env.KUBECONFIG);
  const run = Date.now().toString(36);
  const config = parsePlatformConfig({
    storage: { storageClass: LOCAL_STORAGE_CLASS, siteVolumeSize: '1Gi', databaseVolumeSize: '1Gi' },
    publicAddresses: { ipv4: [PLATFORM_IPV4] },
  });
  const siteStatus = new Map<number, SiteStatus[]>();
  const target = createKubernetesTarget({
    kube: panel,
    config,
    resolver: new DnsHostResolver(env.PDNS_DNS_ADDR),
    namespaceStuckAfterMs: 120_000,
    siteStatus: async (customerId, _generation, sites) => void siteStatus.set(customerId, sites),
  });
  const log = testLog();
  return {
    env,
    admin,
    panel,
    target,
    config,
    siteStatus,
    log,
    run,
    async close() {
      await admin.close();
      await panel.close();
    },
  };
}

export function passContext(log: PassContext['log']): PassContext {
  return { signal: AbortSignal.timeout(120_000), log };
}

/** Runs passes a second apart until the target stops asking for one (like the engine's requeue); the last outcome. */
export function converge(h: Harness, snapshot: CustomerSnapshot, max = 40): Promise<TargetOutcome> {
  return readUntil(
    () => h.target.run(snapshot, passContext(h.log)),
    (outcome) => !outcome.requeue,
    { timeoutMs: max * 2_000, intervalMs: 1000 }, // about `max` passes of up to a second each,
  );
}

/** A unique customer id per test (namespaces of earlier runs may still be terminating). */
let sequence = 0;
export function customerId(): number {
  sequence += 1;
  return 100_000 + (((Date.now() / 1000) % 800_000) | 0) * 10 + sequence;
}

export function site(name: string, overrides: Partial<SiteRow> = {}): SiteRow {
  return {
    name,
    template: 'static',
    image: null,
    port: null,
    domains: [`${name}.k8s-int.test`],
    www: false,
    replicas: 1,
    database: false,
    databasePassword: null,
    ...overrides,
  };
}

/** A domain of the customer whose ownership is proven: its sites' hosts may be routed. */
export function verifiedDomain(name: string): DomainRow {
  return { name, dns: false, mail: false, dnssec: false, verified: true, records: [], dkim: null };
}

export function customer(id: number, overrides: Partial<CustomerSnapshot> = {}): CustomerSnapshot {
  return {
    id,
    name: `int ${id}`,
    email: `c${id}@k8s-int.test`,
    generation: 1,
    suspended: false,
    deleting: false,
    plan: {
      id: 1,
      name: 'int',
      limits: {
        cpu: '4',
        memory: '8Gi',
        storage: '20Gi',
        sites: 3,
        domains: 5,
        mailboxes: 5,
        mailboxQuota: '5Gi',
        databases: 2,
        backupRetentionDays: 7,
      },
    },
    sites: [],
    // The default sites' hosts (`{site}.k8s-int.test`) lie under a verified domain.
    domains: [verifiedDomain('k8s-int.test')],
    mailboxes: [],
    aliases: [],
    ...overrides,
  };
}

/** Hosts of an Ingress's rules ([] when the object is missing). */
export function ingressHosts(object: { spec?: Record<string, unknown> } | null | undefined): string[] {
  const rules = (object?.spec?.rules as { host: string }[] | undefined) ?? [];
  return rules.map((rule) => rule.host);
}
