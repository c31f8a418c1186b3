import type { MailRows } from '@hostplane/domain';
import {
  type CustomerSnapshot,
  type DesiredMail,
  type DkimSigningKey,
  desiredDkimKeys,
  desiredMail,
  isDkimRotation,
  openStoredSecret,
} from '@hostplane/domain';
import type { SendLimitEntry } from '@hostplane/platform';
import type { PassContext, Target, TargetOutcome } from '@hostplane/reconcile';
import { type DkimPlan, planDkimKeys } from './dkim.ts';
import { MailProviderError } from './errors.ts';
import { desiredIdentities } from './identity.ts';
import { countMailChanges, type MailPlan, planMailChanges } from './plan.ts';
import type {
  DkimKeyStore,
  DkimPublication,
  LocalRspamdFiles,
  MailDatabase,
  MaildirRemover,
  RspamdMaps,
} from './port.ts';
import { desiredSpamEntries } from './spam-identity.ts';

// The Mail target of the reconcile engine: desired (pure) → observe → plan (pure) → apply → verify.
// Order matters for retries: DKIM keys and send limits first, rows in one transaction next, maildirs
// last (a maildir goes only once no row can deliver into it again).

export interface MailTargetDeps {
  db: MailDatabase;
  /** The cluster truth: a Secret per domain in mail-system. Null where no Kubernetes is configured. */
  dkimSecrets: DkimKeyStore | null;
  /** The local stack's Rspamd files (projection of the Secrets, plus the send-limits map). */
  localRspamd?: LocalRspamdFiles | null;
  /** Where Rspamd's send-limit and identity maps go; default the local files (cluster: a ConfigMap). */
  rspamdMaps?: RspamdMaps | null;
  /** Asked before a rotated selector starts signing; without it a new selector signs at once. */
  publication?: DkimPublication | null;
  /** Removes maildirs of deleted mailboxes; without it they are only logged (cluster: see README). */
  maildirs?: MaildirRemover | null;
  /** The panel's SECRET_KEY: DKIM private keys are sealed at rest and opened here, by the only target
   * that needs them. */
  secretKey?: string | undefined;
}

interface PassResult {
  changes: number;
  awaitingDns: string[];
  failures: string[];
}

async function publishedKeys(
  snapshot: CustomerSnapshot,
  desired: DkimSigningKey[],
  stored: DkimSigningKey[],
  publication: DkimPublication | null | undefined,
): Promise<Set<string>> {
  const out = new Set<string>();
  const storedByDomain = new Map(stored.map((k) => [k.domain, k]));
  for (const key of desired) {
    const rotating = isDkimRotation(storedByDomain.get(key.domain), key);
    const publicKey = snapshot.domains.find((d) => d.name.toLowerCase() === key.domain)?.dkim?.publicKey;
    if (!rotating || !publication || !publicKey) out.add(key.domain);
    else if (await publication.isPublished(key.domain, key.selector, publicKey)) out.add(key.domain);
  }
  return out;
}

async function applyDkimPlan(store: DkimKeyStore, customerId: number, plan: DkimPlan, ctx: PassContext) {
  for (const key of plan.write) {
    await store.write(customerId, key);
    ctx.log.info({ op: 'dkim-write', key: key.domain, selector: key.selector }, 'DKIM key stored');
  }
  for (const domain of plan.remove) {
    await store.remove(customerId, domain);
    ctx.log.info({ op: 'dkim-remove', key: domain }, 'DKIM key removed');
  }
  return plan.write.length + plan.remove.length;
}

/** The keys a store holds after `plan`: desired ones, but a held-back rotation keeps the stored key. */
function keysAfter(desired: DkimSigningKey[], stored: DkimSigningKey[], plan: DkimPlan): DkimSigningKey[] {
  const held = new Set(plan.awaitingDns);
  return desired.map((k) => (held.has(k.domain) ? (stored.find((s) => s.domain === k.domain) ?? k) : k));
}

async function syncDkim(
  deps: MailTargetDeps,
  snapshot: CustomerSnapshot,
  domains: string[],
  wanted: DkimSigningKey[],
  ctx: PassContext,
): Promise<{ changes: number; awaitingDns: string[] }> {
  const truth = deps.dkimSecrets ?? deps.localRspamd ?? null;
  if (!truth) return { changes: 0, awaitingDns: [] };
  const stored = await truth.read(snapshot.id, domains);
  const published = await publishedKeys(snapshot, wanted, stored, deps.publication);
  const plan = planDkimKeys(wanted, stored, (k) => published.has(k.domain));
  let changes = await applyDkimPlan(truth, snapshot.id, plan, ctx);
  if (deps.localRspamd && truth !== deps.localRspamd) {
    // The files mirror what the Secrets hold now, like a kubelet projecting a Secret volume.
    const projected = keysAfter(wanted, stored, plan);
    const files = await deps.localRspamd.read(snapshot.id, domains);
    changes += await applyDkimPlan(
      deps.localRspamd,
      snapshot.id,
      planDkimKeys(projected, files, () => true),
      ctx,
    );
  }
  return { changes, awaitingDns: plan.awaitingDns };
}

async function syncSendLimits(
  files: RspamdMaps,
  domains: string[],
  desired: DesiredMail,
  ctx: PassContext,
): Promise<number> {
  const mine = new Set(domains);
  const wanted: SendLimitEntry[] = desired.rows.users
    .filter((u) => u.sendLimitPerHour > 0 && mine.has(u.domain))
    .map((u) => ({ address: u.email, perHour: u.sendLimitPerHour }))
    .sort((a, b) => a.address.localeCompare(b.address));
  const current = await files.readSendLimits(domains);
  if (JSON.stringify(current) === JSON.stringify(wanted)) return 0;
  await files.writeSendLimits(domains, wanted);
  ctx.log.info({ op: 'send-limits', entries: wanted.length }, 'send limits written');
  return 1;
}

/** Rspamd's identity lines of this customer: logins and domains → customer id, forwards → limit. */
async function syncIdentities(
  files: RspamdMaps,
  snapshot: CustomerSnapshot,
  domains: string[],
  desired: DesiredMail,
  ctx: PassContext,
): Promise<number> {
  const customerId = snapshot.id;
  const mine = new Set(domains);
  const rows = desired.rows;
  const own: MailRows = {
    domains: rows.domains.filter((d) => mine.has(d)),
    users: rows.users.filter((u) => mine.has(u.domain)),
    aliases: rows.aliases.filter((a) => mine.has(a.domain)),
  };
  // Issue 17: the recipients' spam policy rides in the same map (see spam-identity.ts).
  const wanted = [...desiredIdentities(customerId, own), ...desiredSpamEntries(snapshot, own)].sort((a, b) =>
    a.key < b.key ? -1 : a.key > b.key ? 1 : 0,
  );
  const current = await files.readIdentities(domains);
  if (JSON.stringify(current) === JSON.stringify(wanted)) return 0;
  await files.writeIdentities(domains, wanted);
  ctx.log.info({ op: 'identities', entries: wanted.length }, 'sender identities written');
  return 1;
}

async function removeMaildirs(deps: MailTargetDeps, maildirs: string[], ctx: PassContext): Promise<string[]> {
  const failures: string[] = [];
  for (const maildir of maildirs) {
    if (!deps.maildirs) {
      ctx.log.warn(
        { op: 'maildir-remove', key: maildir, outcome: 'queued' },
        'maildir removal left to the mail volume',
      );
      continue;
    }
    const started = performance.now();
    try {
      const result = await deps.maildirs.remove(maildir);
      const ms = Math.round(performance.now() - started);
      ctx.log.info(
        { op: 'maildir-remove', key: maildir, outcome: result.removed ? 'removed' : 'absent', ms },
        'maildir removed',
      );
    } catch (err) {
      ctx.log.error({ op: 'maildir-remove', key: maildir, err }, 'maildir removal failed');
      failures.push(`${maildir}: ${(err as Error).message}`);
    }
  }
  return failures;
}

function outcomeOf(
  snapshot: CustomerSnapshot,
  plan: MailPlan,
  desired: DesiredMail,
  pass: PassResult,
): TargetOutcome {
  const { changes } = pass;
  if (pass.failures.length > 0) {
    return { status: 'False', reason: 'MaildirRemovalFailed', message: pass.failures.join('; '), changes };
  }
  if (plan.conflicts.length > 0) {
    const names = plan.conflicts.join(', ');
    const message = `mail domain ${names} exists in the mail database without this customer's mark; it was not touched`;
    return { status: 'False', reason: 'DomainNotOwned', message, changes };
  }
  if (snapshot.deleting) {
    return {
      status: 'True',
      reason: 'Deleted',
      message: 'mail domains, mailboxes, aliases and DKIM keys removed',
      changes,
    };
  }
  if (pass.awaitingDns.length > 0) {
    const message = `new DKIM selector of ${pass.awaitingDns.join(', ')} not yet served by DNS; the previous key signs`;
    return { status: 'False', reason: 'AwaitingDNS', message, changes, requeue: true };
  }
  if (desired.issues.length > 0) {
    return { status: 'False', reason: 'InvalidRows', message: desired.issues.join('; '), changes };
  }
  if (desired.awaitingVerification.length > 0) {
    const message = `mail for ${desired.awaitingVerification.join(', ')} goes live once the domain is verified`;
    return { status: 'False', reason: 'AwaitingVerification', message, changes };
  }
  const r = desired.rows;
  const message = `${r.domains.length} mail domain(s), ${r.users.length} mailbox(es), ${r.aliases.length} alias row(s)`;
  return { status: 'True', reason: 'Ready', message, changes };
}

/** Retryable store failures fail the pass (the engine retries with backoff); others become the condition. */
function dkimFailure(error: unknown, changes: number): TargetOutcome {
  if (!(error instanceof MailProviderError) || error.retryable) throw error;
  return { status: 'False', reason: 'DkimKeysFailed', message: error.message, changes };
}

/** The snapshot with its DKIM private keys opened (a key stored before sealing comes as it is). */
function openDkimKeys(snapshot: CustomerSnapshot, secretKey: string | undefined): CustomerSnapshot {
  return {
    ...snapshot,
    domains: snapshot.domains.map((d) =>
      d.dkim
        ? { ...d, dkim: { ...d.dkim, privateKeyPem: openStoredSecret(d.dkim.privateKeyPem, secretKey) } }
        : d,
    ),
  };
}

export async function runMailPass(deps: MailTargetDeps, sealed: CustomerSnapshot, ctx: PassContext) {
  let snapshot: CustomerSnapshot;
  try {
    snapshot = openDkimKeys(sealed, deps.secretKey);
  } catch (err) {
    // Nothing is written: without the keys the pass would remove the stored ones.
    const message = `a DKIM private key cannot be opened (SECRET_KEY missing or not the one that sealed it): ${(err as Error).message}`;
    return { status: 'False', reason: 'DkimKeySealed', message, changes: 0 } satisfies TargetOutcome;
  }
  const desired = desiredMail(snapshot);
  const observed = await deps.db.observe(snapshot.id, desired.customerDomains);
  const foreign = new Set(observed.foreignDomains);
  const domains = [...new Set([...desired.customerDomains, ...observed.owned.domains])]
    .filter((d) => !foreign.has(d))
    .sort();
  const wantedKeys = desiredDkimKeys(snapshot).filter((k) => !foreign.has(k.domain));
  // A failing key store (e.g. no mail-system namespace yet) must not keep mailboxes from working:
  // the rows are still applied, then the DKIM failure is what the pass reports.
  const dkim = await syncDkim(deps, snapshot, domains, wantedKeys, ctx).catch((err: unknown) => {
    ctx.log.error({ op: 'dkim', err }, 'DKIM keys not synchronised');
    return { changes: 0, awaitingDns: [], error: err };
  });
  let changes = dkim.changes;
  const maps = deps.rspamdMaps ?? deps.localRspamd ?? null;
  if (maps) {
    changes += await syncSendLimits(maps, domains, desired, ctx);
    changes += await syncIdentities(maps, snapshot, domains, desired, ctx);
  }
  const plan = planMailChanges(desired.rows, observed);
  const report = await deps.db.apply(snapshot.id, plan);
  if (report.statements > 0) {
    ctx.log.info(
      { op: 'mail-rows', statements: report.statements, changes: countMailChanges(plan) },
      'mail rows applied',
    );
  }
  changes += countMailChanges(plan);
  const failures = await removeMaildirs(deps, report.removedMaildirs, ctx);
  if ('error' in dkim) return dkimFailure(dkim.error, changes);
  return outcomeOf(snapshot, plan, desired, { changes, awaitingDns: dkim.awaitingDns, failures });
}

export function createMailTarget(deps: MailTargetDeps): Target {
  return { name: 'Mail', run: (snapshot, ctx) => runMailPass(deps, snapshot, ctx) };
}
