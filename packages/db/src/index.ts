export * from './connect.ts';
export * from './migrate.ts';
export * from './schema.ts';
export * from './site-status.ts';
export * from './snapshot.ts';
export * from './backup-jobs.ts';
