import type { Alias, Backup, Customer, Domain, Mailbox, Plan, Restore, Site } from '@hostplane/contracts';
import type {
  AliasRecord,
  BackupRecord,
  ConditionRecord,
  CustomerRecord,
  DomainRecord,
  MailboxRecord,
  PlanRecord,
  RestoreRecord,
  SiteRecord,
} from '@hostplane/db';
import {
  backupSiteNames,
  DEFAULT_SPAM_SETTINGS,
  databaseDataState,
  effectivePlanLimits,
  type PlanLimits,
  parseBackupContents,
  tenantNamespace,
} from '@hostplane/domain';

// Row → answer mappers: the only place that decides which columns leave the API (never a
// password hash, a DKIM private key or a database password).
const iso = (d: Date) => d.toISOString();
const isoOrNull = (d: Date | null) => (d ? d.toISOString() : null);

export function presentPlan(row: PlanRecord): Plan {
  return {
    id: row.id,
    name: row.name,
    limits: effectivePlanLimits(row.limits as PlanLimits),
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

export function presentCustomer(row: CustomerRecord, conditions: ConditionRecord[]): Customer {
  const sorted = [...conditions].sort((a, b) => a.type.localeCompare(b.type));
  const ready =
    sorted.length > 0 && sorted.every((c) => c.status === 'True' && c.observed_generation === row.generation);
  return {
    id: row.id,
    name: row.name,
    email: row.email,
    planId: row.plan_id,
    namespace: tenantNamespace(row.id),
    suspended: row.suspended,
    deleting: row.deleting,
    generation: row.generation,
    status: {
      ready,
      conditions: sorted.map((c) => ({
        type: c.type,
        status: c.status as 'True' | 'False' | 'Unknown',
        reason: c.reason,
        message: c.message,
        observedGeneration: c.observed_generation,
        lastTransitionTime: iso(c.last_transition_time),
        lastError: c.last_error,
        attempts: c.attempts,
        nextAttemptAt: isoOrNull(c.next_attempt_at),
      })),
    },
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

export function presentSite(row: SiteRecord): Site {
  return {
    name: row.name,
    template: row.template,
    image: row.image,
    port: row.port,
    domains: row.domains,
    www: row.www,
    replicas: row.replicas,
    database: row.database,
    phpVersion: row.php_version,
    php: (row.php_settings as Site['php']) ?? null,
    databaseData: databaseDataState({ database: row.database, databasePassword: row.database_password }),
    status:
      row.status && row.status_generation !== null && row.status_updated_at
        ? {
            ...(row.status as Record<string, unknown>),
            state: String((row.status as { state?: unknown }).state ?? 'Unknown'),
            reason: String((row.status as { reason?: unknown }).reason ?? ''),
            message: String((row.status as { message?: unknown }).message ?? ''),
            observedGeneration: row.status_generation,
            updatedAt: iso(row.status_updated_at),
          }
        : null,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

export function presentDomain(row: DomainRecord): Domain {
  return {
    name: row.name,
    dns: row.dns,
    mail: row.mail,
    dnssec: row.dnssec,
    webmail: row.webmail,
    dkim:
      row.dkim_selector && row.dkim_public_key
        ? { selector: row.dkim_selector, publicKey: row.dkim_public_key }
        : null,
    // Shown while DNSSEC is on; written by the DNS target after it signed the zone (never read live).
    ds: row.dnssec && Array.isArray(row.ds) ? (row.ds as { content: string }[]).map((d) => d.content) : [],
    verification: {
      state: row.verification_state,
      method: row.verification_method,
      token: row.verification_token,
      checkedAt: row.verification_checked_at ? iso(row.verification_checked_at) : null,
      message: row.verification_message,
    },
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

const UNITS: [string, number][] = [
  ['Ti', 2 ** 40],
  ['Gi', 2 ** 30],
  ['Mi', 2 ** 20],
  ['Ki', 2 ** 10],
];

/** Bytes as the largest exact binary quantity ("1Gi", "1536Mi"). */
export function formatBytes(bytes: number): string {
  const unit = UNITS.find(([, size]) => bytes % size === 0);
  return unit ? `${bytes / unit[1]}${unit[0]}` : String(bytes);
}

export function presentMailbox(row: MailboxRecord): Mailbox {
  return {
    address: row.address,
    quota: formatBytes(row.quota_bytes),
    quotaBytes: row.quota_bytes,
    enabled: row.enabled,
    autoresponder: row.autoresponder ?? null,
    forwarding: row.forwarding ?? null,
    customSieve: row.custom_sieve ?? null,
    spam: row.spam ?? DEFAULT_SPAM_SETTINGS,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

export function presentAlias(row: AliasRecord): Alias {
  return { source: row.source, destinations: row.destinations, createdAt: iso(row.created_at) };
}

export function presentBackup(row: BackupRecord): Backup {
  return {
    name: row.name,
    phase: row.phase,
    message: row.message,
    startedAt: isoOrNull(row.started_at),
    completedAt: isoOrNull(row.completed_at),
    createdAt: iso(row.created_at),
    stats: row.stats ?? null,
    contents: presentContents(row.contents),
  };
}

function presentContents(value: unknown): Backup['contents'] {
  const contents = parseBackupContents(value);
  return contents
    ? { sites: backupSiteNames(contents), mailboxes: contents.mailboxes, zones: contents.zones }
    : null;
}

export function presentRestore(row: RestoreRecord): Restore {
  return {
    name: row.name,
    backup: row.backup_name,
    sites: row.sites ?? null,
    phase: row.phase,
    message: row.message,
    startedAt: isoOrNull(row.started_at),
    completedAt: isoOrNull(row.completed_at),
    createdAt: iso(row.created_at),
  };
}
