// Live access to a customer database's data (DESIGN §9 "Live reads"): export (dump) and import run
// as the database's own owner user against the customer's server, never as its root.
import type { Readable } from 'node:stream';

export interface DatabaseLogin {
  customerId: number;
  database: string;
  username: string;
  password: string;
}

export interface DatabaseDumps {
  /** The database as SQL (schema and rows), streamed. */
  dump(login: DatabaseLogin): Promise<Readable>;
  /** Runs SQL in the database; a failing statement is the customer's input: `ok: false` with the server's message. */
  import(login: DatabaseLogin, sql: Buffer): Promise<{ ok: true } | { ok: false; message: string }>;
}
