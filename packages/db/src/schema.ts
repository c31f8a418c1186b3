import type {
  Autoresponder,
  BackupStats,
  Forwarding,
  PlanLimits,
  SftpPublicKey,
  SpamSettings,
} from '@hostplane/domain';
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/** A timestamptz column: read as Date, written as Date or SQL default. */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json<T> = ColumnType<T, string, string>;

export type Role = 'admin' | 'customer';
export type TokenScope = 'read' | 'write';

export interface UsersTable {
  id: Generated<number>;
  /** Always stored lowercased; unique. */
  email: string;
  password_hash: string;
  role: Role;
  /** Null for admins (and, later, resellers); the customer a customer user belongs to. */
  customer_id: number | null;
  /** Encrypted TOTP secret; set during enrolment, active once totp_enabled_at is set. */
  totp_secret: string | null;
  totp_enabled_at: NullableTimestamp;
  /** Last accepted TOTP time step, so a code cannot be replayed. */
  totp_last_step: number | null;
  password_changed_at: Timestamp;
  created_at: Timestamp;
}

export interface SessionsTable {
  /** sha256 of the cookie value: a database leak does not hand out sessions. */
  id_hash: string;
  user_id: number;
  csrf_token: string;
  expires_at: Date;
  created_at: Timestamp;
}

export interface ApiTokensTable {
  id: Generated<number>;
  user_id: number;
  name: string;
  token_hash: string;
  scope: TokenScope;
  expires_at: NullableTimestamp;
  last_used_at: NullableTimestamp;
  created_at: Timestamp;
}

export interface LoginFailuresTable {
  id: Generated<number>;
  /** `email:<address>` or `ip:<address>`. */
  key: string;
  created_at: Timestamp;
}

export interface PlansTable {
  id: Generated<number>;
  /** Null: a platform plan; later a reseller's user id. */
  owner_id: number | null;
  name: string;
  limits: Json<PlanLimits>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface CustomersTable {
  id: Generated<number>;
  owner_id: number | null;
  name: string;
  email: string;
  plan_id: number;
  suspended: Generated<boolean>;
  generation: Generated<number>;
  deleting: Generated<boolean>;
  deleted_at: NullableTimestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface CustomerConditionsTable {
  customer_id: number;
  type: string;
  status: string;
  reason: string;
  message: string;
  observed_generation: number;
  last_transition_time: Timestamp;
  last_error: string | null;
  attempts: Generated<number>;
  next_attempt_at: NullableTimestamp;
  updated_at: Timestamp;
}

export interface SitesTable {
  id: Generated<number>;
  customer_id: number;
  name: string;
  template: 'static' | 'php' | 'wordpress' | 'image';
  image: string | null;
  port: number | null;
  domains: string[];
  www: boolean;
  replicas: number;
  database: boolean;
  database_password: string | null;
  /** PHP version of a php/wordpress site (null: the platform's default). */
  php_version: string | null;
  /** php.ini settings the customer chose ({memoryLimit?, uploadMaxFilesize?, maxExecutionTime?}). */
  php_settings: ColumnType<unknown | null, string | null | undefined, string | null>;
  /** Last status the Kubernetes target observed (SiteStatus of provisioner-k8s, without the name). */
  status: ColumnType<unknown | null, string | null | undefined, string | null>;
  status_generation: number | null;
  status_updated_at: NullableTimestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface CustomerDatabaseServersTable {
  customer_id: number;
  /** Sealed (SECRET_KEY). */
  root_password: string;
  created_at: Timestamp;
}

export interface CustomerDatabasesTable {
  id: Generated<number>;
  customer_id: number;
  name: string;
  /** Names of the customer's sites that get this database's credentials. */
  sites: string[];
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface CustomerDatabaseUsersTable {
  id: Generated<number>;
  customer_id: number;
  database_id: number;
  name: string;
  /** Sealed (SECRET_KEY): sites get it in a Secret; the API shows it once. */
  password: string;
  /** The user made with the database; its credentials are the ones attached sites get. */
  owner: Generated<boolean>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface SiteCronJobsTable {
  id: Generated<number>;
  customer_id: number;
  site_id: number;
  name: string;
  schedule: string;
  command: string;
  time_zone: string | null;
  suspended: Generated<boolean>;
  concurrency_policy: Generated<'Forbid' | 'Allow' | 'Replace'>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface DomainsTable {
  id: Generated<number>;
  customer_id: number;
  name: string;
  dns: boolean;
  mail: boolean;
  dnssec: boolean;
  /** Issue 17 (migration 0018): webmail.{name} is a host of the platform's webmail. */
  webmail: Generated<boolean>;
  dkim_selector: string | null;
  dkim_public_key: string | null;
  dkim_private_key_pem: string | null;
  dkim_previous_selector: string | null;
  dkim_previous_public_key: string | null;
  /** DS records of the signed zone, as the DNS target last read them (null when unsigned). */
  ds: ColumnType<unknown | null, string | null | undefined, string | null>;
  dns_status_updated_at: NullableTimestamp;
  /** Shown to the customer: the value of TXT `_hostplane-challenge.{name}`. */
  verification_token: Generated<string>;
  verification_state: ColumnType<
    VerificationStateColumn,
    VerificationStateColumn | undefined,
    VerificationStateColumn
  >;
  verification_method: 'ns' | 'txt' | 'admin' | null;
  verification_message: Generated<string>;
  verification_checked_at: NullableTimestamp;
  /** Checks in a row that found no proof (drives the backoff and the revocation of a verified domain). */
  verification_failures: Generated<number>;
  /** When the worker checks this domain next. */
  verification_next_at: Timestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export type VerificationStateColumn = 'Pending' | 'Verified' | 'Failed';

export interface DnsRecordsTable {
  id: Generated<number>;
  domain_id: number;
  name: string;
  type: 'A' | 'AAAA' | 'CNAME' | 'MX' | 'TXT' | 'SRV' | 'CAA' | 'NS';
  ttl: number;
  records: string[];
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface MailboxesTable {
  id: Generated<number>;
  customer_id: number;
  address: string;
  password_hash: string;
  quota_bytes: number;
  enabled: boolean;
  send_limit_per_hour: Generated<number>;
  /** Issue 17: null when off. JSON written by the API after its contract checked it. */
  autoresponder: ColumnType<Autoresponder | null, string | null | undefined, string | null>;
  forwarding: ColumnType<Forwarding | null, string | null | undefined, string | null>;
  custom_sieve: ColumnType<string | null, string | null | undefined, string | null>;
  /** Issue 17 (migration 0014): spam settings; null: the defaults. */
  spam: ColumnType<SpamSettings | null, string | null | undefined, string | null>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface AliasesTable {
  id: Generated<number>;
  customer_id: number;
  source: string;
  destinations: string[];
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface BackupsTable {
  id: Generated<number>;
  customer_id: number;
  name: string;
  phase: Generated<string>;
  message: Generated<string | null>;
  started_at: NullableTimestamp;
  completed_at: NullableTimestamp;
  created_at: Timestamp;
  /** What Velero reports (migration 0015): BackupStats as JSON, null until Velero has said. */
  stats: ColumnType<BackupStats | null, BackupStats | null | undefined, BackupStats | null>;
  /** What the backup holds in the panel's terms (migration 0017): BackupContents of @hostplane/domain as
   * JSON, recorded once Velero has picked the backup up; null before, or for older backups. */
  contents: ColumnType<unknown | null, string | null | undefined, string | null>;
}

/** Items and bytes of a backup as Velero reports them: the domain's BackupStats. */
export type { BackupStats };

export interface RestoresTable {
  id: Generated<number>;
  customer_id: number;
  name: string;
  backup_name: string;
  /** The sites the restore brings back (migration 0017); null: the whole backup. */
  sites: ColumnType<string[] | null, string[] | null | undefined, string[] | null>;
  phase: Generated<string>;
  message: Generated<string | null>;
  started_at: NullableTimestamp;
  completed_at: NullableTimestamp;
  created_at: Timestamp;
}

export interface AuditLogTable {
  id: Generated<number>;
  actor_user_id: number | null;
  actor_token_id: number | null;
  action: string;
  target: string;
  customer_id: number | null;
  before: Json<unknown> | null;
  after: Json<unknown> | null;
  request_id: string | null;
  source_ip: string | null;
  created_at: Timestamp;
}

export interface IdempotencyKeysTable {
  user_id: number;
  key: string;
  method: string;
  path: string;
  request_hash: string;
  /** Null while the first request is still in its transaction. */
  response_status: number | null;
  response_body: Json<unknown> | null;
  created_at: Timestamp;
}

/** SFTP credentials of the customer's login `c{id}` (docs/sftp.md). */
export interface CustomerSftpTable {
  customer_id: number;
  password_hash: string | null;
  public_keys: Json<SftpPublicKey[]>;
  updated_at: Timestamp;
}

/** Issue 10: the desired state the DNS target last applied and verified, per customer and zone. */
export interface DnsAppliedZonesTable {
  customer_id: number;
  zone: string;
  fingerprint: string;
  applied_at: Generated<Timestamp>;
}

/** Issue 13: the platform's ACME attempts for a host whose certificate the edge does not serve yet. */
export interface CertificateAttemptsTable {
  customer_id: number;
  host: string;
  attempts: number;
  attempt_started_at: NullableTimestamp;
  next_attempt_at: NullableTimestamp;
  last_error: string | null;
  updated_at: Generated<Timestamp>;
}

export interface PanelDatabase {
  users: UsersTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  login_failures: LoginFailuresTable;
  plans: PlansTable;
  customers: CustomersTable;
  customer_conditions: CustomerConditionsTable;
  sites: SitesTable;
  customer_database_servers: CustomerDatabaseServersTable;
  customer_databases: CustomerDatabasesTable;
  customer_database_users: CustomerDatabaseUsersTable;
  site_cronjobs: SiteCronJobsTable;
  domains: DomainsTable;
  dns_records: DnsRecordsTable;
  mailboxes: MailboxesTable;
  aliases: AliasesTable;
  backups: BackupsTable;
  restores: RestoresTable;
  audit_log: AuditLogTable;
  idempotency_keys: IdempotencyKeysTable;
  customer_sftp: CustomerSftpTable;
  dns_applied_zones: DnsAppliedZonesTable;
  certificate_attempts: CertificateAttemptsTable;
}

export type UserRow = Selectable<UsersTable>;
export type CustomerRecord = Selectable<CustomersTable>;
export type PlanRecord = Selectable<PlansTable>;
export type SiteRecord = Selectable<SitesTable>;
export type DomainRecord = Selectable<DomainsTable>;
export type CustomerDatabaseRecord = Selectable<CustomerDatabasesTable>;
export type CustomerDatabaseUserRecord = Selectable<CustomerDatabaseUsersTable>;
export type SiteCronJobRecord = Selectable<SiteCronJobsTable>;
export type DnsRecordRecord = Selectable<DnsRecordsTable>;
export type MailboxRecord = Selectable<MailboxesTable>;
export type AliasRecord = Selectable<AliasesTable>;
export type BackupRecord = Selectable<BackupsTable>;
export type RestoreRecord = Selectable<RestoresTable>;
export type ConditionRecord = Selectable<CustomerConditionsTable>;
export type NewUser = Insertable<UsersTable>;
export type UserUpdate = Updateable<UsersTable>;
