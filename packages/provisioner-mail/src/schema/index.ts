export { type MigrateMailDbOptions, type MigrateMailDbResult, migrateMailDb } from './migrate.ts';
export { MAIL_TABLES, type MailMigration, mailMigrations } from './migrations.ts';
