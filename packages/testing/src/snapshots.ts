// Customer snapshots as the panel stores them, for the pure tests of every room (no stack needed).
import type { CustomerSnapshot, DomainRow } from '@hostplane/domain';

/** A customer snapshot as the panel stores it, for tests; `over` replaces whole fields. */
export function customerSnapshot(over: Partial<CustomerSnapshot> = {}): CustomerSnapshot {
  return {
    id: 1001,
    name: 'Example',
    email: 'owner@example.org',
    generation: 1,
    suspended: false,
    deleting: false,
    plan: {
      id: 1,
      name: 'basic',
      limits: {
        cpu: '1',
        memory: '1Gi',
        storage: '5Gi',
        sites: 3,
        domains: 5,
        mailboxes: 10,
        mailboxQuota: '5Gi',
        databases: 1,
        backupRetentionDays: 7,
      },
    },
    sites: [],
    domains: [],
    mailboxes: [],
    aliases: [],
    ...over,
  };
}

export function mailDomain(name: string, over: Partial<DomainRow> = {}): DomainRow {
  return { name, dns: true, mail: true, dnssec: false, verified: true, records: [], dkim: null, ...over };
}
