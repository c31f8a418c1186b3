import type { TargetOutcome } from '@hostplane/reconcile';
import type { SiteStatus } from './site-status.ts';

function describe(sites: SiteStatus[]): string {
  return sites.map((site) => `${site.name}: ${site.reason}: ${site.message}`).join('; ');
}

/**
 * The customer's Kubernetes condition from its sites: a failure names the site and the cause;
 * waiting for pods or volumes asks the engine to come back soon; hosts awaiting DNS are served
 * over HTTP, so the condition stays True with reason AwaitingDNS.
 */
export function kubernetesOutcome(
  sites: SiteStatus[],
  namespaceFailures: { key: string; code: string; message: string }[],
  changes: number,
): TargetOutcome {
  const first = namespaceFailures[0];
  if (first) {
    const message = namespaceFailures.map((f) => `${f.key}: ${f.message}`).join('; ');
    return { status: 'False', reason: first.code, message, changes };
  }
  const failed = sites.filter((site) => site.state === 'Failed');
  const progressing = sites.filter((site) => site.state === 'Progressing');
  if (failed.length > 0) {
    // A broken site must not keep the others' status from being looked at again: while any site still
    // starts, come back soon (a new site beside a failed one would otherwise stay Progressing until the
    // periodic resync).
    const requeue = progressing.length > 0 ? { requeue: true } : {};
    return {
      status: 'False',
      reason: failed[0]?.reason ?? 'Failed',
      message: describe(failed),
      changes,
      ...requeue,
    };
  }
  if (progressing.length > 0) {
    return { status: 'False', reason: 'Progressing', message: describe(progressing), changes, requeue: true };
  }
  if (sites.some((site) => site.state === 'Suspended')) {
    return {
      status: 'True',
      reason: 'Suspended',
      message: 'sites scaled to zero, hosts show the suspended page',
      changes,
    };
  }
  const awaiting = sites.filter((site) => site.reason === 'AwaitingDNS');
  if (awaiting.length > 0)
    return { status: 'True', reason: 'AwaitingDNS', message: describe(awaiting), changes };
  const message = sites.length === 0 ? 'namespace ready, no sites' : `${sites.length} site(s) ready`;
  return { status: 'True', reason: 'Ready', message, changes };
}
