// Periodic resync: every customer is reconciled once per period even when nothing changed, so
// drift made behind the panel's back (a deleted pod, a record edited in PowerDNS) is repaired.
// A cron task runs every minute and enqueues only the customers whose slot is this minute's slot;
// slots are `id mod periodMinutes`, and ids are consecutive from 1001, so the load is spread
// evenly over the period instead of every customer at once.

export const RESYNC_TASK = 'hostplane_resync';

/** graphile-worker crontab line: the resync task fires every minute (deduplicated across workers). */
export const RESYNC_CRONTAB = `* * * * * ${RESYNC_TASK}`;

function assertPeriod(periodMinutes: number): void {
  if (!Number.isInteger(periodMinutes) || periodMinutes < 1) {
    throw new Error(`resync period must be a whole number of minutes ≥ 1, got ${periodMinutes}`);
  }
}

/** The slot (0 … period−1) a customer is resynced in. */
export function resyncSlotOfCustomer(customerId: number, periodMinutes: number): number {
  assertPeriod(periodMinutes);
  return customerId % periodMinutes;
}

/** The slot a wall-clock minute serves: consecutive minutes walk through every slot once per period. */
export function resyncSlotOfMinute(at: Date, periodMinutes: number): number {
  assertPeriod(periodMinutes);
  const epochMinute = Math.floor(at.getTime() / 60_000);
  return epochMinute % periodMinutes;
}
