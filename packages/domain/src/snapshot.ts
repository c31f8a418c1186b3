import type { MailboxFilters } from './mail/sieve.ts';
// The panel's rows of one customer, as the reconciler reads them in one transaction.
// Every desired-state function is a pure function of this value (STYLE.md: no clocks, no
// random values; generated secrets and hashes are stored in rows so passes are stable).

export type ConditionType = 'Kubernetes' | 'DNS' | 'Mail' | 'Backup' | 'Customer';

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
}

/** The documented defaults of the optional plan limits. */
export const PLAN_LIMIT_DEFAULTS = {
  aliases: 100,
  destinationsPerAlias: 20,
  dnsRecords: 200,
  backupsPerDay: 4,
  restoresPerDay: 4,
  outboundSmtp: false,
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
}

export function tenantNamespace(customerId: number): string {
  return `cust-${customerId}`;
}
