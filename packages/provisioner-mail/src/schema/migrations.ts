/** One step of the mail database schema. Statements are idempotent on their own (IF NOT EXISTS)
 * because MySQL commits DDL implicitly: a run interrupted half-way must be able to run again. */
export interface MailMigration {
  id: string;
  statements: MigrationStatement[];
}

/** A statement, or one that runs only when `when` (a SELECT of one `needed` column) answers 1: MySQL 8
 * has no `ADD COLUMN IF NOT EXISTS`, so a re-run checks information_schema first. */
export type MigrationStatement = string | { sql: string; when: string };

const columnMissing = (table: string, column: string) =>
  `SELECT COUNT(*) = 0 AS needed FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '${table}' AND COLUMN_NAME = '${column}'`;
const indexMissing = (table: string, index: string) =>
  `SELECT COUNT(*) = 0 AS needed FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '${table}' AND INDEX_NAME = '${index}'`;

// Case-insensitive collation: mail addresses and domain names compare without case, like Postfix
// and Dovecot compare them. Rows are ASCII (IDNA) in practice; utf8mb4 leaves room for SMTPUTF8.
const TABLE_OPTIONS = 'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci';

export const MAIL_TABLES = [
  'virtual_domains',
  'virtual_users',
  'virtual_aliases',
  'virtual_sieve_scripts',
] as const;

export const mailMigrations: readonly MailMigration[] = [
  {
    id: '0001_virtual_tables',
    statements: [
      `CREATE TABLE IF NOT EXISTS virtual_domains (
        id INT UNSIGNED NOT NULL AUTO_INCREMENT,
        name VARCHAR(253) NOT NULL,
        PRIMARY KEY (id),
        UNIQUE KEY uq_virtual_domains_name (name)
      ) ${TABLE_OPTIONS}`,
      // password carries its scheme prefix ({ARGON2ID}…, {BLF-CRYPT}…) so Dovecot verifies any scheme;
      // maildir is relative to the mail root ("example.com/alice/"); quota_bytes 0 means no quota.
      `CREATE TABLE IF NOT EXISTS virtual_users (
        id INT UNSIGNED NOT NULL AUTO_INCREMENT,
        domain_id INT UNSIGNED NOT NULL,
        email VARCHAR(320) NOT NULL,
        password VARCHAR(255) NOT NULL,
        quota_bytes BIGINT UNSIGNED NOT NULL DEFAULT 0,
        maildir VARCHAR(512) NOT NULL,
        enabled TINYINT(1) NOT NULL DEFAULT 1,
        send_limit_per_hour INT UNSIGNED NOT NULL DEFAULT 100,
        PRIMARY KEY (id),
        UNIQUE KEY uq_virtual_users_email (email),
        KEY ix_virtual_users_domain (domain_id),
        CONSTRAINT fk_virtual_users_domain FOREIGN KEY (domain_id)
          REFERENCES virtual_domains (id) ON DELETE CASCADE
      ) ${TABLE_OPTIONS}`,
      // A catch-all has source "@example.com"; Postfix tries it after the full address.
      `CREATE TABLE IF NOT EXISTS virtual_aliases (
        id INT UNSIGNED NOT NULL AUTO_INCREMENT,
        domain_id INT UNSIGNED NOT NULL,
        source VARCHAR(320) NOT NULL,
        destination VARCHAR(320) NOT NULL,
        PRIMARY KEY (id),
        UNIQUE KEY uq_virtual_aliases_pair (source, destination),
        KEY ix_virtual_aliases_domain (domain_id),
        CONSTRAINT fk_virtual_aliases_domain FOREIGN KEY (domain_id)
          REFERENCES virtual_domains (id) ON DELETE CASCADE
      ) ${TABLE_OPTIONS}`,
    ],
  },
  {
    // Ownership mark (STYLE.md: never delete what you cannot prove you created): the panel customer
    // whose reconcile wrote the domain. NULL is a row the panel did not write; it is never touched.
    id: '0002_domain_owner',
    statements: [
      {
        sql: 'ALTER TABLE virtual_domains ADD COLUMN customer_id INT UNSIGNED NULL AFTER name',
        when: columnMissing('virtual_domains', 'customer_id'),
      },
      {
        sql: 'CREATE INDEX ix_virtual_domains_customer ON virtual_domains (customer_id)',
        when: indexMissing('virtual_domains', 'ix_virtual_domains_customer'),
      },
    ],
  },
  {
    // Mail identity (issue 9): the panel's mailbox id names the mailbox's folder, so an address created
    // again never opens the folder of the mailbox before it; send_enabled is off while the customer is
    // suspended (Postfix's check_sasl_access and the sender maps read it).
    id: '0005_mail_identity',
    statements: [
      {
        sql: 'ALTER TABLE virtual_users ADD COLUMN mailbox_id INT UNSIGNED NULL AFTER domain_id',
        when: columnMissing('virtual_users', 'mailbox_id'),
      },
      {
        sql: 'ALTER TABLE virtual_users ADD COLUMN send_enabled TINYINT(1) NOT NULL DEFAULT 1 AFTER enabled',
        when: columnMissing('virtual_users', 'send_enabled'),
      },
    ],
  },
  {
    // Sieve (issue 17): the panel's scripts of each mailbox, read by Dovecot's Sieve dict (platform's
    // dovecot-dict-sieve.conf.ext). script_id is the script's SHA-256: Pigeonhole recompiles when it
    // changes. Rows go with their mailbox (ON DELETE CASCADE).
    id: '0011_sieve_scripts',
    statements: [
      `CREATE TABLE IF NOT EXISTS virtual_sieve_scripts (
        id INT UNSIGNED NOT NULL AUTO_INCREMENT,
        user_id INT UNSIGNED NOT NULL,
        username VARCHAR(320) NOT NULL,
        name VARCHAR(64) NOT NULL,
        script_id CHAR(64) NOT NULL,
        script MEDIUMTEXT NOT NULL,
        PRIMARY KEY (id),
        UNIQUE KEY uq_virtual_sieve_scripts_user_name (username, name),
        KEY ix_virtual_sieve_scripts_user (user_id),
        CONSTRAINT fk_virtual_sieve_scripts_user FOREIGN KEY (user_id)
          REFERENCES virtual_users (id) ON DELETE CASCADE
      ) ${TABLE_OPTIONS}`,
    ],
  },
];
