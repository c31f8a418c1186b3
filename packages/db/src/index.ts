export * from './backup-jobs.ts';
export * from './connect.ts';
export * from './customer-deletion.ts';
export * from './domain-dns-status.ts';
export * from './migrate.ts';
export * from './schema.ts';
export * from './site-status.ts';
export * from './snapshot.ts';
