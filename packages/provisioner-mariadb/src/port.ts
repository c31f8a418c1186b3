import type { ObservedServer, ServerChange } from './plan.ts';

/** The customer's MariaDB as the target uses it, connected as root (implemented by client/mysql-client.ts). */
export interface DatabaseServer {
  observe(): Promise<ObservedServer>;
  apply(change: ServerChange): Promise<void>;
  close(): Promise<void>;
}

/** Where a customer's server answers: null while it has no address yet (its Service is not there). */
export type ServerAddressOf = (customerId: number) => Promise<{ host: string; port: number } | null>;

export type ConnectServer = (
  address: { host: string; port: number },
  rootPassword: string,
) => Promise<DatabaseServer>;
