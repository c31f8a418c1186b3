import type { CustomerSnapshot, DnsRecordRow, DomainRow, PlanLimits } from '@hostplane/domain';
import { type Kysely, sql, type Transaction } from 'kysely';
import type { DnsRecordRecord, DomainRecord, PanelDatabase } from './schema.ts';
import { readSftpCredentials, sftpEnabled } from './sftp.ts';
import { loadSiteRuntimeRows, siteRowOf } from './site-runtime.ts';

type Db = Kysely<PanelDatabase> | Transaction<PanelDatabase>;

/**
 * Every row the reconciler needs for one customer, read in one repeatable-read transaction so the
 * pieces agree with each other and with `generation`. Null when the customer does not exist or is
 * gone (deleted_at set). Lists are sorted by name: the snapshot is the input of pure functions.
 */
export async function loadCustomerSnapshot(db: Db, customerId: number): Promise<CustomerSnapshot | null> {
  if (db.isTransaction) return readSnapshot(db, customerId);
  return (db as Kysely<PanelDatabase>)
    .transaction()
    .setIsolationLevel('repeatable read')
    .setAccessMode('read only')
    .execute((trx) => readSnapshot(trx, customerId));
}

/** Phases after which Velero is done with a restore (provisioner-backup's TERMINAL_PHASES). */
const RESTORE_DONE_PHASES = ['Completed', 'PartiallyFailed', 'Failed', 'FailedValidation', 'Deleted'];

async function readSnapshot(trx: Db, customerId: number): Promise<CustomerSnapshot | null> {
  const customer = await trx
    .selectFrom('customers')
    .innerJoin('plans', 'plans.id', 'customers.plan_id')
    .select([
      'customers.id',
      'customers.name',
      'customers.email',
      'customers.generation',
      'customers.suspended',
      'customers.deleting',
      'plans.id as plan_id',
      'plans.name as plan_name',
      'plans.limits',
      // The DNS target's record of applied zones (dns-applied-zones.ts) in the same query and the
      // same repeatable-read view: a DNS pass then needs no round trip of its own to read it.
      sql<Record<string, string>>`coalesce((select json_object_agg(a.zone, a.fingerprint)
        from dns_applied_zones a where a.customer_id = customers.id), '{}'::json)`.as('dns_applied'),
    ])
    .where('customers.id', '=', customerId)
    .where('customers.deleted_at', 'is', null)
    .executeTakeFirst();
  if (!customer) return null;
  const [sites, domains, records, mailboxes, aliases, sftp, restoring, runtime] = await Promise.all([
    trx.selectFrom('sites').selectAll().where('customer_id', '=', customerId).execute(),
    trx.selectFrom('domains').selectAll().where('customer_id', '=', customerId).execute(),
    trx
      .selectFrom('dns_records')
      .innerJoin('domains', 'domains.id', 'dns_records.domain_id')
      .selectAll('dns_records')
      .where('domains.customer_id', '=', customerId)
      .execute(),
    trx
      .selectFrom('mailboxes')
      .selectAll()
      .where('customer_id', '=', customerId)
      .orderBy('address')
      .execute(),
    trx.selectFrom('aliases').selectAll().where('customer_id', '=', customerId).execute(),
    readSftpCredentials(trx, customerId),
    trx
      .selectFrom('restores')
      .select('name')
      .where('customer_id', '=', customerId)
      .where('phase', 'not in', RESTORE_DONE_PHASES)
      .executeTakeFirst(),
    loadSiteRuntimeRows(trx, customerId),
  ]);
  return {
    id: customer.id,
    name: customer.name,
    email: customer.email,
    generation: customer.generation,
    suspended: customer.suspended,
    deleting: customer.deleting,
    ...(restoring ? { restoring: true } : {}),
    plan: { id: customer.plan_id, name: customer.plan_name, limits: customer.limits as PlanLimits },
    sites: sites.sort(byKey((s) => s.name)).map((s) => siteRowOf(s, runtime.cronJobs)),
    domains: domains.sort(byKey((d) => d.name)).map((d) => toDomainRow(d, records)),
    mailboxes: mailboxes.sort(byKey((m) => m.address)).map((m) => ({
      id: m.id,
      address: m.address,
      passwordHash: m.password_hash,
      quotaBytes: m.quota_bytes,
      enabled: m.enabled,
      sendLimitPerHour: m.send_limit_per_hour,
      ...(m.autoresponder || m.forwarding || m.custom_sieve || m.spam
        ? {
            filters: {
              autoresponder: m.autoresponder,
              forwarding: m.forwarding,
              customSieve: m.custom_sieve,
              ...(m.spam ? { spam: m.spam } : {}),
            },
          }
        : {}),
    })),
    aliases: aliases
      .sort(byKey((a) => a.source))
      .map((a) => ({ source: a.source, destinations: [...a.destinations].sort() })),
    ...(sftpEnabled(sftp) ? { sftp: { enabled: true } } : {}),
    databases: runtime.databases,
    databaseServer: runtime.databaseServer,
    dnsApplied: customer.dns_applied,
  };
}

/** Code-point order, independent of the database's collation: the snapshot must be byte-stable. */
function byKey<T>(key: (row: T) => string): (a: T, b: T) => number {
  return (a, b) => {
    const ka = key(a);
    const kb = key(b);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  };
}

function toDomainRow(d: DomainRecord, records: DnsRecordRecord[]): DomainRow {
  const own: DnsRecordRow[] = records
    .filter((r) => r.domain_id === d.id)
    .sort(byKey((r) => `${r.name} ${r.type}`))
    .map((r) => ({ name: r.name, type: r.type, ttl: r.ttl, records: [...r.records] }));
  const dkim =
    d.dkim_selector && d.dkim_public_key && d.dkim_private_key_pem
      ? {
          selector: d.dkim_selector,
          publicKey: d.dkim_public_key,
          privateKeyPem: d.dkim_private_key_pem,
          previousSelector: d.dkim_previous_selector,
          previousPublicKey: d.dkim_previous_public_key,
        }
      : null;
  return {
    name: d.name,
    dns: d.dns,
    mail: d.mail,
    dnssec: d.dnssec,
    webmail: d.webmail,
    verified: d.verification_state === 'Verified',
    records: own,
    dkim,
  };
}
