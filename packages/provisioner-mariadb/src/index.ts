export { type DumpLogin, dumpDatabase, importDatabase } from './client/dumps.ts';
export { MysqlDatabaseServer, statementOf } from './client/mysql-client.ts';
export { type DesiredUser, desiredServerState, type ServerState } from './desired.ts';
export { type ObservedServer, planServerChanges, type ServerChange } from './plan.ts';
export type { ConnectServer, DatabaseServer, ServerAddressOf } from './port.ts';
export { createDatabasesTarget, type DatabasesTargetDeps } from './target.ts';
