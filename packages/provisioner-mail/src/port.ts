import type { DkimSigningKey } from '@hostplane/domain';
import type { IdentityEntry, SendLimitEntry } from '@hostplane/platform';
import type { MailPlan, ObservedMail } from './plan.ts';

// The mail room's ports, in our words. Adapters live in client/ (MySQL, Kubernetes) and, for the local
// stack's files, in packages/localstack (mail-adapters/, wired in by `serve`); the target composes them
// and never sees a driver type.

/** What one applied plan wrote: `statements` counts write statements (0 on a converged customer). */
export interface MailApplyReport {
  statements: number;
  /** Maildirs (relative to the mail root) whose user rows are gone: their removal is queued. */
  removedMaildirs: string[];
}

/** The mail MySQL tables of one customer. */
export interface MailDatabase {
  /** Rows of domains marked as this customer's, plus which of `wantedDomains` belong to someone else. */
  observe(customerId: number, wantedDomains: readonly string[]): Promise<ObservedMail>;
  /** Applies a plan in ONE transaction; an empty plan sends nothing. */
  apply(customerId: number, plan: MailPlan): Promise<MailApplyReport>;
}

/** The signing keys Rspamd uses, one per domain: the cluster's Secrets, or a projection of them. */
export interface DkimKeyStore {
  /** Keys stored for this customer; `domains` lists every domain name the customer may own. */
  read(customerId: number, domains: readonly string[]): Promise<DkimSigningKey[]>;
  write(customerId: number, key: DkimSigningKey): Promise<void>;
  remove(customerId: number, domain: string): Promise<void>;
}

/** Whether a DKIM selector's TXT record with this key is served (authoritative DNS). */
export interface DkimPublication {
  isPublished(domain: string, selector: string, publicKey: string): Promise<boolean>;
}

/** The maps Rspamd re-reads (per-user send limits, sender identities), shared by every customer: a
 * customer's write replaces only the lines of its own domains. Files locally, a ConfigMap in the cluster. */
export interface RspamdMaps {
  readSendLimits(domains: readonly string[]): Promise<SendLimitEntry[]>;
  writeSendLimits(domains: readonly string[], entries: SendLimitEntry[]): Promise<void>;
  readIdentities(domains: readonly string[]): Promise<IdentityEntry[]>;
  writeIdentities(domains: readonly string[], entries: IdentityEntry[]): Promise<void>;
}

/** Removes a deleted mailbox's maildir. Idempotent: a missing folder is no error. */
export interface MaildirRemover {
  remove(maildir: string): Promise<{ removed: boolean; path: string }>;
}

/** A projection of the DKIM keys Rspamd reads from files, which also holds the maps (the local stack). */
export type LocalRspamdFiles = DkimKeyStore & RspamdMaps;

/** What the local stack lends the Mail target (packages/localstack `localMailAdapters`). */
export interface LocalMailAdapters {
  rspamd: LocalRspamdFiles;
  maildirs: MaildirRemover;
}
