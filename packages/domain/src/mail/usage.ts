// Pure: how full a mailbox (or a customer's mail as a whole) is, and whether to warn. Thresholds of
// issue 17: a warning at 80 %, critical at 95 %.

export interface MailUsage {
  bytes: number;
  messages: number;
}

export type QuotaWarning = 'warning' | 'critical' | null;

export const QUOTA_WARNING_PERCENT = 80;
export const QUOTA_CRITICAL_PERCENT = 95;

/** Percent of `limitBytes` used, one decimal; null without a limit. */
export function quotaPercent(bytes: number, limitBytes: number): number | null {
  if (!(limitBytes > 0)) return null;
  return Math.round((bytes / limitBytes) * 1000) / 10;
}

export function quotaWarning(bytes: number, limitBytes: number): QuotaWarning {
  const percent = quotaPercent(bytes, limitBytes);
  if (percent === null) return null;
  if (percent >= QUOTA_CRITICAL_PERCENT) return 'critical';
  if (percent >= QUOTA_WARNING_PERCENT) return 'warning';
  return null;
}

/** Sums per-folder figures (doveadm's mailbox status rows) into one mailbox's usage. */
export function sumMailUsage(parts: readonly MailUsage[]): MailUsage {
  return parts.reduce((sum, p) => ({ bytes: sum.bytes + p.bytes, messages: sum.messages + p.messages }), {
    bytes: 0,
    messages: 0,
  });
}
