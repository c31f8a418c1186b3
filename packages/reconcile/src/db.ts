import type { PanelDatabase } from '@hostplane/db';
import type { Kysely } from 'kysely';

/**
 * The panel database as the engine receives it. Its reads and writes of the panel's tables go
 * through @hostplane/db's ReconcileStore; what is left here in SQL is graphile-worker's queue
 * (add_job, the jobs view), which is the queue's interface, not the panel's tables.
 */
export type PanelDb = Kysely<PanelDatabase>;
