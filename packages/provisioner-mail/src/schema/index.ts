export { type MigrateMailDbOptions, type MigrateMailDbResult, migrateMailDb } from './migrate.ts';
export { MAIL_TABLES, type MailMigration, type MigrationStatement, mailMigrations } from './migrations.ts';
