import type { MailboxFilters } from './mail/sieve.ts';
// The panel's rows of one customer, as the reconciler reads them in one transaction.
// Every desired-state function is a pure function of this value (STYLE.md: no clocks, no
// random values; generated secrets and hashes are stored in rows so passes are stable).

export type ConditionType = 'Kubernetes' | 'DNS' | 'Mail' | 'Backup' | 'Customer' | 'Databases';

export interface PlanLimits {
  cpu: string; // Kubernetes quantity, e.g. "2"
  memory: string; // e.g. "4Gi"
  storage: string; // e.g. "20Gi"
  sites: number;
  domains: number;
  mailboxes: number;
  mailboxQuota: string; // total mailbox quota, quantity e.g. "10Gi"
  databases: number;
  backupRetentionDays: number;
  // Optional (added later; a plan body without them stays valid): PLAN_LIMIT_DEFAULTS apply.
  aliases?: number;
  destinationsPerAlias?: number;
  /** DNS rrsets the customer writes itself, over all its zones (managed records do not count). */
  dnsRecords?: number;
  /** Backups asked for by hand in the last 24 hours (scheduled ones do not count). */
  backupsPerDay?: number;
  restoresPerDay?: number;
  /** Tenant pods may connect to port 25 on the internet (default false: mail leaves through the
   * platform's submission service). */
  outboundSmtp?: boolean;
  /** Highest php.ini values a site of this plan may set (shorthand bytes, seconds). */
  phpMemoryLimit?: string;
  phpUploadMaxFilesize?: string;
  phpMaxExecutionTime?: number;
  /** Cron jobs over all of the customer's sites. */
  cronJobs?: number;
}

/** The documented defaults of the optional plan limits. */
export const PLAN_LIMIT_DEFAULTS = {
  aliases: 100,
  destinationsPerAlias: 20,
  dnsRecords: 200,
  backupsPerDay: 4,
  restoresPerDay: 4,
  outboundSmtp: false,
  phpMemoryLimit: '512M',
  phpUploadMaxFilesize: '256M',
  phpMaxExecutionTime: 300,
  cronJobs: 10,
} as const;

export type EffectivePlanLimits = PlanLimits & Required<Pick<PlanLimits, keyof typeof PLAN_LIMIT_DEFAULTS>>;

/** A stored plan's limits with the defaults filled in. */
export function effectivePlanLimits(limits: PlanLimits): EffectivePlanLimits {
  return { ...PLAN_LIMIT_DEFAULTS, ...limits };
}

export interface PlanRow {
  id: number;
  name: string;
  limits: PlanLimits;
}

export type SiteTemplate = 'static' | 'php' | 'wordpress' | 'image';

export interface SiteRow {
  name: string;
  template: SiteTemplate;
  image: string | null; // only for template "image"
  port: number | null; // only for template "image"
  domains: string[]; // punycode, lowercase
  www: boolean;
  replicas: number;
  database: boolean;
  /** Generated once at create time and kept, so the desired Secret is stable. */
  databasePassword: string | null;
  /** php and wordpress: the PHP version (null or absent: the platform's default). */
  phpVersion?: string | null;
  /** php and wordpress: php.ini settings the customer chose (absent ones keep the image's). */
  phpSettings?: PhpSettings | null;
  /** Scheduled commands run in the site's image with its volume, sorted by name. */
  cronJobs?: CronJobRow[];
}

export interface PhpSettings {
  /** php.ini shorthand bytes, e.g. "256M". */
  memoryLimit?: string;
  uploadMaxFilesize?: string;
  /** Seconds. */
  maxExecutionTime?: number;
}

export interface CronJobRow {
  name: string;
  schedule: string;
  command: string;
  timeZone: string | null;
  suspended: boolean;
  concurrencyPolicy: 'Forbid' | 'Allow' | 'Replace';
}

/** A database on the customer's own MariaDB (one instance per customer). */
export interface CustomerDatabaseRow {
  name: string;
  /** Sites that get the owner user's credentials (a Secret and environment variables). */
  sites: string[];
  /** Passwords are sealed in the rows; openSnapshotSecrets opens them for the targets. */
  users: { name: string; password: string; owner: boolean }[];
}

export interface DnsRecordRow {
  name: string; // fqdn, punycode, lowercase, no trailing dot
  type: 'A' | 'AAAA' | 'CNAME' | 'MX' | 'TXT' | 'SRV' | 'CAA' | 'NS';
  ttl: number;
  records: string[]; // content in presentation format
}

export interface DomainRow {
  name: string; // punycode, lowercase, no trailing dot
  dns: boolean;
  mail: boolean;
  dnssec: boolean;
  /** Issue 17: webmail.{name} answers with the platform's webmail (a DNS record and an Ingress host). */
  webmail?: boolean;
  /**
   * Ownership proven (or marked by an admin). Until a domain at or above a name is verified, nothing
   * that captures traffic for the name goes live: no mail domain row, no routed site host, no ACME.
   */
  verified: boolean;
  records: DnsRecordRow[]; // the customer's own rrsets
  dkim: {
    selector: string;
    publicKey: string;
    privateKeyPem: string;
    previousSelector: string | null;
    previousPublicKey: string | null;
  } | null;
}

export interface MailboxRow {
  /** The panel's row id: never reused, so it names the mailbox's storage (a re-created address is a new mailbox). */
  id: number;
  address: string;
  passwordHash: string; // with its scheme prefix, e.g. {ARGON2ID}$argon2id$...
  quotaBytes: number;
  enabled: boolean;
  sendLimitPerHour: number;
  /** Autoresponder, forwarding and the customer's own Sieve (rendered by `renderMailboxSieve`); absent: none. */
  filters?: MailboxFilters;
}

export interface AliasRow {
  source: string; // address, or "@domain" for a catch-all
  destinations: string[];
}

export interface CustomerSnapshot {
  id: number;
  name: string;
  email: string;
  /** Bumped by every mutation of the customer's desired state; conditions report the one they observed. */
  generation: number;
  suspended: boolean;
  /** True once DELETE was asked: every target removes what it owns. */
  deleting: boolean;
  /** True while one of the customer's restores is not finished (row phase not terminal): the
   * Kubernetes target leaves the namespace to Velero until it is (provisioner-backup README). */
  restoring?: boolean;
  plan: PlanRow;
  sites: SiteRow[];
  domains: DomainRow[];
  mailboxes: MailboxRow[];
  aliases: AliasRow[];
  /** SFTP (docs/sftp.md): enabled once the customer has a password or a key; absent: disabled. */
  sftp?: { enabled: boolean };
  /** Databases on the customer's own MariaDB, sorted by name (absent: none). */
  databases?: CustomerDatabaseRow[];
  /** The customer's MariaDB instance: its root password (sealed in the row), once a database was made. */
  databaseServer?: { rootPassword: string } | null;
  /**
   * What the DNS target last applied and verified, zone → fingerprint (its record in the panel's
   * database), read in the snapshot's own query so a DNS pass needs no read of its own (issue 10).
   * Absent: the DNS target reads its store itself.
   */
  dnsApplied?: Readonly<Record<string, string>>;
}

export function tenantNamespace(customerId: number): string {
  return `cust-${customerId}`;
}
