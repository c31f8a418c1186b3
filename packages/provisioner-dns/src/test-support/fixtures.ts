import type { CustomerSnapshot, DnsPlatformConfig, DomainRow } from '@hostplane/domain';
import { dnsPlatformConfigSchema } from '@hostplane/domain';
import type { PassContext } from '@hostplane/reconcile';
import { pino } from 'pino';

// Shared values of the DNS integration tests and the benchmark.

export const testDnsConfig: DnsPlatformConfig = dnsPlatformConfigSchema.parse({
  nameservers: ['ns1.hostplane.test', 'ns2.hostplane.test'],
  soa: { contact: 'hostmaster@hostplane.test' },
  publicIPv4: ['192.0.2.10'],
  publicIPv6: ['2001:db8::10'],
  mail: { host: 'mail.hostplane.test', dmarcRua: 'dmarc@hostplane.test' },
  caaIssuer: 'letsencrypt.org',
});

/** A customer id far from the panel's (1001…) and distinct per test process. */
export function testCustomerId(offset = 0): number {
  return 900_000 + (process.pid % 50_000) * 2 + offset;
}

/** A label unique to this run, so parallel suites on the shared stack never share a zone. */
export const runTag = `h${process.pid.toString(36)}${Date.now().toString(36).slice(-4)}`;

export function domainRow(name: string, over: Partial<DomainRow> = {}): DomainRow {
  return { name, dns: true, mail: false, dnssec: false, verified: true, records: [], dkim: null, ...over };
}

export function snapshotOf(
  id: number,
  domains: DomainRow[],
  over: Partial<CustomerSnapshot> = {},
): CustomerSnapshot {
  return {
    id,
    name: `dns test ${id}`,
    email: `dns-${id}@example.test`,
    generation: 1,
    suspended: false,
    deleting: false,
    plan: {
      id: 1,
      name: 'test',
      limits: {
        cpu: '1',
        memory: '1Gi',
        storage: '1Gi',
        sites: 1,
        domains: 50,
        mailboxes: 1,
        mailboxQuota: '1Gi',
        databases: 0,
        backupRetentionDays: 1,
      },
    },
    sites: [],
    domains,
    mailboxes: [],
    aliases: [],
    ...over,
  };
}

/** A pass context whose log lines are kept (tests assert the API key never appears). */
export function passContext(lines: string[] = []): PassContext {
  const log = pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) });
  return { signal: new AbortController().signal, log };
}
