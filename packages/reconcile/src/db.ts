import type { Kysely } from 'kysely';

/**
 * The panel database as this room sees it. Callers pass `Kysely<PanelDatabase>` (or a transaction of
 * it) from @hostplane/db; Kysely's database type is invariant, so this room accepts any schema and
 * names only the few tables it touches (customers, customer_conditions, graphile_worker's jobs).
 */
// biome-ignore lint/suspicious/noExplicitAny: see above; the contract's signature is Kysely<any>.
export type PanelDb = Kysely<any>;
