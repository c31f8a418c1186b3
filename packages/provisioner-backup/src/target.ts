import type { CustomerSnapshot, KubeObject } from '@hostplane/domain';
import {
  backupAttempts,
  currentAttempt,
  desiredJobObjects,
  desiredRetryBackup,
  desiredSchedule,
  managedSelector,
  plannedRetries,
  scheduleName,
  veleroObjectName,
} from '@hostplane/domain';
import {
  applyWithFingerprint,
  isKubeError,
  KINDS,
  type KubeApi,
  type LiveObject,
} from '@hostplane/provisioner-k8s';
import type { PassContext, Target, TargetOutcome } from '@hostplane/reconcile';
import type { DnsArchive } from './dns-archive.ts';
import type { MailArchive } from './mail-archive.ts';
import { type BackupFailure, backupOutcome, deletedOutcome } from './outcome.ts';
import type { BackupJobLedger, JobRow, JobStatus } from './port.ts';
import { clearForRestore } from './restore-room.ts';
import { type BackupSettings, type BackupSettingsInput, backupSettingsSchema } from './settings.ts';
import { planBackupChanges, planJobStatuses, podVolumeBytes, TERMINAL_PHASES } from './status.ts';

export interface BackupTargetDeps {
  kube: KubeApi;
  ledger: BackupJobLedger;
  settings?: BackupSettingsInput;
  /** Mailboxes in customer backups (mail-archive.ts); absent: backups hold no mail. */
  mail?: MailArchive | null;
  /** DNS zones in customer backups (dns-archive.ts); absent: backups hold no zones. */
  dns?: DnsArchive | null;
}

/** Velero's node agent DaemonSet (bootstrap/backup.ts renders it under this name). */
const NODE_AGENT = 'node-agent';

interface Observed {
  schedules: LiveObject[];
  backups: LiveObject[];
  restores: LiveObject[];
}

async function observe(kube: KubeApi, customerId: number, settings: BackupSettings): Promise<Observed> {
  const selector = managedSelector(customerId);
  const [schedules, backups, restores] = await Promise.all(
    [KINDS.Schedule, KINDS.Backup, KINDS.Restore].map((kind) =>
      kube.list(kind, settings.namespace, selector),
    ),
  );
  return { schedules: schedules ?? [], backups: backups ?? [], restores: restores ?? [] };
}

/**
 * Pod volume bytes of the finished Backups whose row has no stats yet (read once: the sum of each one's
 * PodVolumeBackups, which Velero labels with the backup's name).
 */
async function finishedBackupBytes(
  kube: KubeApi,
  settings: BackupSettings,
  customerId: number,
  rows: JobRow[],
  backups: LiveObject[],
): Promise<Map<string, number>> {
  const recorded = new Set(
    rows.filter((r) => r.kind === 'backup' && r.stats).map((r) => veleroObjectName(customerId, r.name)),
  );
  const bytes = new Map<string, number>();
  for (const backup of backups) {
    const name = backup.metadata.name;
    const phase = (backup.status as { phase?: string } | undefined)?.phase ?? '';
    if (!TERMINAL_PHASES.has(phase) || recorded.has(name)) continue;
    const pvbs = await kube.list(KINDS.PodVolumeBackup, settings.namespace, `velero.io/backup-name=${name}`);
    bytes.set(name, podVolumeBytes(pvbs ?? []));
  }
  return bytes;
}

/** The node agent's DaemonSet has every pod it should have ready (none scheduled: not ready). */
async function nodeAgentReady(kube: KubeApi, namespace: string): Promise<boolean> {
  const ds = await kube.get(KINDS.DaemonSet, namespace, NODE_AGENT).catch((error: unknown) => {
    if (isKubeError(error, 'Unavailable')) throw error;
    return null;
  });
  const status = ds?.status as
    | { desiredNumberScheduled?: number; numberReady?: number; updatedNumberScheduled?: number }
    | undefined;
  const desired = status?.desiredNumberScheduled ?? 0;
  return desired > 0 && status?.numberReady === desired;
}

const VOLUME_FAILED = new Set(['Failed', 'Canceled']);

/** What the failed PodVolumeBackups of a backup say: `<pod>/<volume>: <message>`. */
async function failedVolumes(kube: KubeApi, namespace: string, backup: string): Promise<string[]> {
  const pvbs = await kube.list(KINDS.PodVolumeBackup, namespace, `velero.io/backup-name=${backup}`);
  return (
    (pvbs ?? [])
      // Velero 1.18 marks a PodVolumeBackup whose node agent restarted mid-copy Canceled, others Failed.
      .filter((p) => VOLUME_FAILED.has((p.status as { phase?: string } | undefined)?.phase ?? ''))
      .map((p) => {
        const spec = p.spec as { pod?: { name?: string }; volume?: string } | undefined;
        const message = (p.status as { message?: string } | undefined)?.message ?? 'failed';
        return `pod volume ${spec?.pod?.name ?? '?'}/${spec?.volume ?? '?'}: ${message}`;
      })
      .sort()
  );
}

/** Schedule through the fingerprinting apply (drift shows); Backups and Restores are created once. */
async function applyObject(kube: KubeApi, object: KubeObject): Promise<LiveObject> {
  return object.kind === 'Schedule' ? applyWithFingerprint(kube, object) : kube.apply(object);
}

/**
 * The `Backup` target: the customer's daily Velero Schedule, a Velero Backup per backups row and a
 * Restore per restores row (in Velero's namespace), and Velero's progress copied back onto the rows.
 * Deleting a customer deletes its Schedule and any Restore, and keeps its Backups: Velero removes each
 * at the end of its TTL (the plan's retention), as a hosting provider keeps backups after a contract ends.
 */
export function createBackupTarget(deps: BackupTargetDeps): Target {
  const settings = backupSettingsSchema.parse(deps.settings ?? {});

  async function remove(customerId: number, ctx: PassContext): Promise<TargetOutcome> {
    const observed = await observe(deps.kube, customerId, settings);
    let changes = 0;
    const doomed = [...observed.schedules, ...observed.restores].filter((o) => !o.metadata.deletionTimestamp);
    for (const object of doomed) {
      const kind = object.kind === 'Schedule' ? KINDS.Schedule : KINDS.Restore;
      if (await deps.kube.delete(kind, settings.namespace, object.metadata.name)) changes++;
      ctx.log.info({ op: 'delete', key: `${object.kind}/${object.metadata.name}`, outcome: 'ok' }, 'deleted');
    }
    return deletedOutcome(observed.backups, changes);
  }

  async function run(snapshot: CustomerSnapshot, ctx: PassContext): Promise<TargetOutcome> {
    try {
      if (snapshot.deleting) return await remove(snapshot.id, ctx);
      return await converge(snapshot, ctx);
    } catch (error) {
      if (isKubeError(error, 'NotFound'))
        return {
          status: 'False',
          reason: 'VeleroMissing',
          message: `Velero's resources are not served in ${settings.namespace}: ${(error as Error).message}`,
          changes: 0,
        };
      throw error;
    }
  }

  async function converge(snapshot: CustomerSnapshot, ctx: PassContext): Promise<TargetOutcome> {
    const retention = snapshot.plan.limits.backupRetentionDays;
    const rows = await deps.ledger.load(snapshot.id);
    const observed = await observe(deps.kube, snapshot.id, settings);
    const schedule = desiredSchedule(snapshot.id, retention, settings);
    const failures: BackupFailure[] = [];
    let changes = 0;
    // A backup whose volume part failed (the node agent died mid-copy) is made again once the agent runs.
    const retried = await retryFailedBackups(observed, failures, ctx);
    changes += retried.changes;
    // A restore reads the attempt that holds the backup's data.
    const attempts = backupAttempts(observed.backups);
    const attemptOf = (name: string) => currentAttempt(attempts, name)?.object.metadata.name ?? name;
    const plan = planBackupChanges(
      { schedule, jobs: desiredJobObjects(snapshot.id, rows, retention, settings, attemptOf) },
      observed,
    );
    for (const object of plan.apply) {
      const key = `${object.kind}/${object.metadata.name}`;
      if (object.kind === 'Restore') {
        // The backup's workloads and claims replace the current ones: wait until those are gone.
        const row = rows.find(
          (r) => r.kind === 'restore' && veleroObjectName(snapshot.id, r.name) === object.metadata.name,
        );
        const room = await clearForRestore(deps.kube, snapshot.id, {
          sites: row?.sites?.length ? row.sites : null,
          backupSites: row?.backupSites ?? null,
        });
        changes += room.deleted;
        if (room.remaining > 0) {
          ctx.log.info(
            { op: 'restore', key, remaining: room.remaining },
            'waiting for the tenant workloads to go',
          );
          continue;
        }
        // A whole restore brings the backup's zones back first (rows, then keys), and waits until they
        // are as the backup had them: a pass that changed something is followed by one that checks.
        const zones = row?.sites?.length ? [] : (row?.backupZones ?? []);
        if (deps.dns && row?.backupName && zones.length > 0) {
          try {
            const dns = await deps.dns.restoreZones(
              veleroObjectName(snapshot.id, row.backupName),
              snapshot.id,
              zones,
              snapshot.domains,
            );
            changes += dns.changes;
            ctx.log.info(
              { op: 'restore-dns', key, zones: zones.length, changes: dns.changes, pending: dns.pending },
              'zones restored',
            );
            if (dns.changes > 0 || dns.pending.length > 0) continue;
          } catch (error) {
            failures.push({
              part: 'dns',
              message: `${key}: zones not restored: ${(error as Error).message}`,
            });
            continue;
          }
        }
        // A whole restore brings the backup's mail back into the mailboxes that exist now.
        const current = new Set(snapshot.mailboxes.map((m) => m.address));
        const mailboxes = (row?.sites?.length ? [] : (row?.backupMailboxes ?? [])).filter((a) =>
          current.has(a),
        );
        if (deps.mail && row?.backupName && mailboxes.length > 0) {
          try {
            const saved = await deps.mail.restoreMailboxes(
              veleroObjectName(snapshot.id, row.backupName),
              mailboxes,
            );
            changes += saved;
            ctx.log.info({ op: 'restore-mail', key, mailboxes: mailboxes.length, saved }, 'mail restored');
          } catch (error) {
            failures.push({
              part: 'mail',
              message: `${key}: mail not restored: ${(error as Error).message}`,
            });
            continue;
          }
        }
      }
      try {
        const live = await applyObject(deps.kube, object);
        changes++;
        if (live.kind === 'Backup') observed.backups.push(live);
        if (live.kind === 'Restore') observed.restores.push(live);
        ctx.log.info({ op: 'apply', key, outcome: 'ok' }, 'applied');
      } catch (error) {
        if (isKubeError(error, 'Unavailable')) throw error;
        failures.push({ part: 'apply', message: `${key}: ${(error as Error).message}` });
        ctx.log.warn({ op: 'apply', key, outcome: 'failed', err: (error as Error).message }, 'apply failed');
      }
    }
    for (const stale of plan.deleteSchedules) {
      if (await deps.kube.delete(KINDS.Schedule, settings.namespace, stale.metadata.name)) changes++;
    }
    const volumeBytes = await finishedBackupBytes(deps.kube, settings, snapshot.id, rows, observed.backups);
    const planned = planJobStatuses(
      snapshot.id,
      rows,
      { ...observed, volumeBytes },
      scheduleName(snapshot.id),
    );
    const statuses = await exportParts(snapshot, rows, planned, failures, ctx);
    // A backup Velero removed at its TTL takes its mail and DNS exports with it.
    for (const gone of statuses.filter((s) => s.kind === 'backup' && s.phase === 'Deleted')) {
      const name = veleroObjectName(snapshot.id, gone.name);
      const removed =
        (deps.mail ? await deps.mail.forget(name) : 0) + (deps.dns ? await deps.dns.forget(name) : 0);
      if (removed > 0)
        ctx.log.info(
          { op: 'forget-exports', key: `Backup/${name}`, removed },
          'mail and DNS exports removed',
        );
    }
    if (statuses.length > 0) await deps.ledger.record(snapshot.id, statuses);
    return backupOutcome({ schedule, rows, statuses, failures, changes, retryPending: retried.pending });
  }

  /**
   * Failed backups with attempts left (domain/backup/retry.ts): the part that failed goes into the
   * condition (the failed PodVolumeBackups' messages: reason VolumePartFailed) and, when the node agent
   * is ready on every node it should run on, the next attempt is created.
   */
  async function retryFailedBackups(
    observed: Observed,
    failures: BackupFailure[],
    ctx: PassContext,
  ): Promise<{ changes: number; pending: boolean }> {
    const now = Date.now();
    const retries = plannedRetries(backupAttempts(observed.backups), { now });
    if (retries.length === 0) return { changes: 0, pending: false };
    const ready = await nodeAgentReady(deps.kube, settings.namespace);
    let changes = 0;
    let pending = false;
    for (const retry of retries) {
      const failedName = retry.failed.object.metadata.name;
      const phase = (retry.failed.object.status as { phase?: string } | undefined)?.phase ?? '';
      const due = Date.parse(retry.dueAt) <= now;
      const volumes = await failedVolumes(deps.kube, settings.namespace, failedName);
      const then = !ready
        ? `attempt ${retry.next} once the node agent runs again`
        : due
          ? `attempt ${retry.next} started`
          : `attempt ${retry.next} at ${retry.dueAt}`;
      if (volumes.length > 0)
        failures.push({
          part: 'volume',
          message: `backup ${retry.first.metadata.name} attempt ${retry.failed.attempt} ${phase}: ${volumes.join('; ')}; ${then}`,
        });
      if (!ready || !due) {
        pending = true;
        continue;
      }
      const object = desiredRetryBackup(retry.first, retry.next);
      const live = await deps.kube.apply(object);
      observed.backups.push(live);
      changes++;
      ctx.log.info(
        { op: 'retry', key: `Backup/${object.metadata.name}`, failed: failedName, phase },
        'failed backup made again',
      );
    }
    return { changes, pending };
  }

  /**
   * A backup's contents are recorded on the first status written once Velero has picked it up: that is
   * when the customer's mailboxes and zones are exported beside it. A part that fails holds that status
   * back (the next pass tries again) and turns the condition False with the part's reason.
   */
  async function exportParts(
    snapshot: CustomerSnapshot,
    rows: JobRow[],
    statuses: JobStatus[],
    failures: BackupFailure[],
    ctx: PassContext,
  ): Promise<JobStatus[]> {
    const recorded = new Set(
      rows.filter((r) => r.kind === 'backup' && r.contentsRecorded).map((r) => r.name),
    );
    const addresses = snapshot.mailboxes.map((m) => m.address);
    const domains = snapshot.domains.filter((d) => d.dns);
    const out: JobStatus[] = [];
    for (const status of statuses) {
      const first = status.kind === 'backup' && status.phase !== 'New' && !recorded.has(status.name);
      if (!first) {
        out.push(status);
        continue;
      }
      const name = veleroObjectName(snapshot.id, status.name);
      const parts: Pick<JobStatus, 'mailboxes' | 'zones'> = {};
      if (deps.mail && addresses.length > 0) {
        try {
          const messages = await deps.mail.exportMailboxes(name, addresses);
          ctx.log.info({ op: 'export-mail', key: `Backup/${name}`, messages }, 'mail exported');
          parts.mailboxes = addresses;
        } catch (error) {
          failures.push({
            part: 'mail',
            message: `backup ${status.name}: mail not exported: ${(error as Error).message}`,
          });
        }
      }
      if (deps.dns && domains.length > 0) {
        try {
          parts.zones = await deps.dns.exportZones(name, domains);
          ctx.log.info(
            { op: 'export-dns', key: `Backup/${name}`, zones: parts.zones.length },
            'zones exported',
          );
        } catch (error) {
          failures.push({
            part: 'dns',
            message: `backup ${status.name}: zones not exported: ${(error as Error).message}`,
          });
        }
      }
      const wanted = (deps.mail && addresses.length > 0 ? 1 : 0) + (deps.dns && domains.length > 0 ? 1 : 0);
      const done = (parts.mailboxes ? 1 : 0) + (parts.zones ? 1 : 0);
      if (done === wanted) out.push({ ...status, ...parts });
    }
    return out;
  }

  return { name: 'Backup', run };
}
