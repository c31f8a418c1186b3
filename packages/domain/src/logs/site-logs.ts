// A site's log lines (issue 16): the window a reader asks for, the lines Kubernetes gives with
// `timestamps=true`, and their order. Pure: the reads themselves are the API's SiteLogs port.

/** `since` of the logs API: a relative window (`90s`, `15m`, `6h`, `2d`) or an RFC 3339 time. */
export const LOG_SINCE_RELATIVE = /^([1-9][0-9]{0,4})([smhd])$/;
/** Kubernetes keeps a container's log while the container exists; longer windows read nothing more. */
export const LOG_SINCE_MAX_SECONDS = 7 * 24 * 3600;
export const LOG_TAIL_DEFAULT = 200;
export const LOG_TAIL_MAX = 5000;

export type LogWindow = { sinceSeconds: number } | { sinceTime: string } | Record<string, never>;

const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86_400 } as const;

/**
 * The pods/log window of a `since` value; `null` when it is neither form. A time in the future
 * reads nothing (sinceTime as given); a window longer than a week is a week.
 */
export function logWindowOf(since: string | undefined, now: Date): LogWindow | null {
  if (since === undefined || since === '') return {};
  const relative = LOG_SINCE_RELATIVE.exec(since);
  if (relative) {
    const seconds = Number(relative[1]) * UNIT_SECONDS[relative[2] as keyof typeof UNIT_SECONDS];
    return { sinceSeconds: Math.min(seconds, LOG_SINCE_MAX_SECONDS) };
  }
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(since)) return null;
  const at = Date.parse(since);
  if (Number.isNaN(at)) return null;
  const earliest = now.getTime() - LOG_SINCE_MAX_SECONDS * 1000;
  // pods/log takes whole seconds: the second the time falls in, so no line of it is lost.
  return { sinceTime: `${new Date(Math.max(at, earliest)).toISOString().slice(0, 19)}Z` };
}

export interface TimedLine {
  /** RFC 3339 UTC with nine fractional digits: sorts as text. */
  time: string;
  message: string;
}

/**
 * One line of a `timestamps=true` pods/log answer: "2026-11-28T00:41:21.12345Z message". The time
 * is normalised to nine fractional digits (Kubernetes trims trailing zeros, which breaks text order).
 */
export function parseTimestampedLine(raw: string): TimedLine | null {
  const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2}) ?(.*)$/s.exec(
    line,
  );
  if (!match) return null;
  const [, seconds, fraction = '', zone, message = ''] = match;
  let base = `${seconds}Z`;
  if (zone !== 'Z') {
    const at = Date.parse(`${seconds}${zone}`);
    if (Number.isNaN(at)) return null;
    base = `${new Date(at).toISOString().slice(0, 19)}Z`;
  }
  return { time: `${base.slice(0, 19)}.${fraction.padEnd(9, '0')}Z`, message };
}

/** Lines of several containers in time order (stable for equal times), the newest `tail` of them. */
export function newestLines<T extends { time: string }>(lines: readonly T[], tail: number): T[] {
  const ordered = lines
    .map((line, index) => ({ line, index }))
    .sort((a, b) => (a.line.time < b.line.time ? -1 : a.line.time > b.line.time ? 1 : a.index - b.index))
    .map((x) => x.line);
  return tail > 0 ? ordered.slice(-tail) : [];
}
