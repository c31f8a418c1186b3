// The edge's (Traefik's) JSON access log, filtered for one site: a line belongs to the site only when
// its router is an Ingress of the customer's namespace AND its host is one of the site's hosts.
import { parseTimestampedLine, type TimedLine } from './site-logs.ts';

/** The fields of a Traefik JSON access log entry the panel reads. */
interface EdgeEntry {
  RouterName?: unknown;
  RequestHost?: unknown;
  RequestMethod?: unknown;
  RequestPath?: unknown;
  RequestProtocol?: unknown;
  DownstreamStatus?: unknown;
  DownstreamContentSize?: unknown;
  Duration?: unknown;
  ClientHost?: unknown;
  StartUTC?: unknown;
}

function hostMatches(host: string, siteHost: string): boolean {
  if (!siteHost.startsWith('*.')) return host === siteHost;
  const suffix = siteHost.slice(1); // ".example.com"
  return host.endsWith(suffix) && !host.slice(0, -suffix.length).includes('.');
}

/**
 * The site's line of one access log entry, or null for any other customer's or site's entry (and for
 * anything that is not an entry). Routers of Ingresses are named `{namespace}-{ingress}-…@kubernetes`.
 */
export function edgeLogLine(raw: string, customerId: number, hosts: readonly string[]): TimedLine | null {
  if (!raw.startsWith('{')) return null;
  let entry: EdgeEntry;
  try {
    entry = JSON.parse(raw) as EdgeEntry;
  } catch {
    return null;
  }
  if (typeof entry.RouterName !== 'string' || !entry.RouterName.startsWith(`cust-${customerId}-`))
    return null;
  if (typeof entry.RequestHost !== 'string' || typeof entry.StartUTC !== 'string') return null;
  const host = entry.RequestHost.toLowerCase().replace(/\.$/, '');
  if (!hosts.some((h) => hostMatches(host, h.toLowerCase()))) return null;
  const timed = parseTimestampedLine(`${entry.StartUTC} `);
  if (!timed) return null;
  const ms = typeof entry.Duration === 'number' ? Math.round(entry.Duration / 1e6) : '-';
  const message = `${String(entry.ClientHost ?? '-')} ${host} "${String(entry.RequestMethod ?? '-')} ${String(
    entry.RequestPath ?? '-',
  )} ${String(entry.RequestProtocol ?? '-')}" ${String(entry.DownstreamStatus ?? '-')} ${String(
    entry.DownstreamContentSize ?? '-',
  )} ${ms}ms`;
  return { time: timed.time, message };
}
