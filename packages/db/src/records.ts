// A customer's DNS rrsets: the queries of the record routes. Rrsets arrive checked and canonical
// (@hostplane/domain's record rules); these only read and write the rows.
import { type Kysely, sql, type Transaction } from 'kysely';
import type { DnsRecordRecord, DnsRecordsTable, PanelDatabase } from './schema.ts';

type Db = Kysely<PanelDatabase> | Transaction<PanelDatabase>;

export type RrsetRow = Pick<DnsRecordsTable, 'name' | 'type' | 'ttl' | 'records'>;

/** The customer's domains with their rrsets: what the zone rules check an edit against. */
export async function customerZoneRows(
  db: Db,
  customerId: number,
): Promise<
  { id: number; name: string; dns: boolean; mail: boolean; webmail: boolean; records: DnsRecordRecord[] }[]
> {
  const domains = await db
    .selectFrom('domains')
    .select(['id', 'name', 'dns', 'mail', 'webmail'])
    .where('customer_id', '=', customerId)
    .execute();
  const records = await db
    .selectFrom('dns_records')
    .selectAll()
    .where(
      'domain_id',
      'in',
      domains.map((d) => d.id),
    )
    .execute();
  return domains.map((d) => ({ ...d, records: records.filter((r) => r.domain_id === d.id) }));
}

/** A page of a domain's rrsets (keyset on id; one more than `limit`). */
export function pageDomainRrsets(
  db: Db,
  domainId: number,
  after: number,
  limit: number,
): Promise<DnsRecordRecord[]> {
  return db
    .selectFrom('dns_records')
    .selectAll()
    .where('domain_id', '=', domainId)
    .where('id', '>', after)
    .orderBy('id')
    .limit(limit + 1)
    .execute();
}

export function findRrset(
  db: Db,
  domainId: number,
  name: string,
  type: RrsetRow['type'],
): Promise<DnsRecordRecord | undefined> {
  return db
    .selectFrom('dns_records')
    .selectAll()
    .where('domain_id', '=', domainId)
    .where('name', '=', name)
    .where('type', '=', type)
    .executeTakeFirst();
}

/** Inserts an rrset; undefined when the domain already has one of that name and type. */
export function insertRrset(
  trx: Db,
  domainId: number,
  rrset: RrsetRow,
): Promise<DnsRecordRecord | undefined> {
  return trx
    .insertInto('dns_records')
    .values({ domain_id: domainId, ...rrset })
    .onConflict((oc) => oc.columns(['domain_id', 'name', 'type']).doNothing())
    .returningAll()
    .executeTakeFirst();
}

/** Creates the rrset or replaces its TTL and records. */
export function upsertRrset(trx: Db, domainId: number, rrset: RrsetRow): Promise<DnsRecordRecord> {
  return trx
    .insertInto('dns_records')
    .values({ domain_id: domainId, ...rrset })
    .onConflict((oc) =>
      oc
        .columns(['domain_id', 'name', 'type'])
        .doUpdateSet({ ttl: rrset.ttl, records: rrset.records, updated_at: sql`now()` }),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Deletes the rrset; undefined when there was none. */
export function deleteRrset(
  trx: Db,
  domainId: number,
  name: string,
  type: RrsetRow['type'],
): Promise<DnsRecordRecord | undefined> {
  return trx
    .deleteFrom('dns_records')
    .where('domain_id', '=', domainId)
    .where('name', '=', name)
    .where('type', '=', type)
    .returningAll()
    .executeTakeFirst();
}
