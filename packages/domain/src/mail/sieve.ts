import type { SpamSettings } from './spam.ts';

// Pure: a mailbox's panel-managed mail rules (autoresponder, forwarding) as one Sieve script (RFC 5228)
// that Dovecot's Pigeonhole runs before the user's own (ManageSieve) script. Deterministic: the same
// settings always give the same text, so the script's hash identifies it and a converged pass writes
// nothing. Dates are compared in UTC with the `date` extension (RFC 5260).

export interface Autoresponder {
  subject: string;
  body: string;
  /** ISO 8601 instants; null: from now on / without end. */
  startsAt: string | null;
  endsAt: string | null;
  /** Once per sender per this many days (Sieve `vacation :days`). */
  intervalDays: number;
}

export interface Forwarding {
  destinations: string[];
  /** True: a copy stays in the mailbox (`redirect :copy`); false: the message only goes on. */
  keepCopy: boolean;
}

export interface MailboxFilters {
  autoresponder: Autoresponder | null;
  forwarding: Forwarding | null;
  /** An advanced user's own Sieve, checked by `sievec` before it is saved; runs after the rules above. */
  customSieve: string | null;
  /** Spam thresholds and sender lists (`./spam.ts`); absent or null: the defaults. */
  spam?: SpamSettings | null;
}

export const NO_MAILBOX_FILTERS: MailboxFilters = {
  autoresponder: null,
  forwarding: null,
  customSieve: null,
};

export const AUTORESPONDER_DEFAULT_INTERVAL_DAYS = 7;

/** A Sieve quoted string: backslash and double quote are escaped; CR LF and UTF-8 may stand inside. */
export function sieveString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function sieveList(values: readonly string[]): string {
  return `[${values.map(sieveString).join(', ')}]`;
}

/** `2026-11-27T19:22:05Z`, the form Pigeonhole's `currentdate :zone "+0000"` gives for "iso8601". */
export function sieveUtcInstant(iso: string): string {
  const time = Date.parse(iso);
  if (Number.isNaN(time)) throw new Error(`not an ISO 8601 instant: ${iso}`);
  return new Date(time).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Bodies use CRLF line ends inside the script (RFC 5228 strings carry them as written). */
function normaliseBody(body: string): string {
  return body.replace(/\r\n?/g, '\n').replace(/\n/g, '\r\n');
}

function vacationRule(a: Autoresponder, addresses: readonly string[]): string[] {
  const tests: string[] = [];
  if (a.startsAt) {
    tests.push(`currentdate :zone "+0000" :value "ge" "iso8601" ${sieveString(sieveUtcInstant(a.startsAt))}`);
  }
  if (a.endsAt) {
    tests.push(`currentdate :zone "+0000" :value "lt" "iso8601" ${sieveString(sieveUtcInstant(a.endsAt))}`);
  }
  const action = [
    'vacation',
    `:days ${a.intervalDays}`,
    `:subject ${sieveString(a.subject)}`,
    ...(addresses.length > 0 ? [`:addresses ${sieveList(addresses)}`] : []),
    sieveString(normaliseBody(a.body)),
  ].join(' ');
  if (tests.length === 0) return [`${action};`];
  const condition = tests.length === 1 ? tests[0] : `allof(${tests.join(', ')})`;
  return [`if ${condition} {`, `  ${action};`, '}'];
}

function forwardRules(f: Forwarding): string[] {
  const destinations = [...new Set(f.destinations.map((d) => d.trim().toLowerCase()))].sort();
  // `:copy` on every redirect keeps the implicit keep; without it the first redirect cancels it.
  return destinations.map((d) =>
    f.keepCopy ? `redirect :copy ${sieveString(d)};` : `redirect ${sieveString(d)};`,
  );
}

/**
 * The panel's script of one mailbox, or null when it has no rules. `addresses` are the other addresses
 * mail reaches this mailbox by (aliases): the autoresponder answers mail sent to them too.
 */
export function renderMailboxSieve(
  filters: MailboxFilters,
  addresses: readonly string[] = [],
): string | null {
  const extensions = new Set<string>();
  const body: string[] = [];
  if (filters.autoresponder) {
    extensions.add('vacation');
    if (filters.autoresponder.startsAt || filters.autoresponder.endsAt) {
      extensions.add('date');
      extensions.add('relational');
    }
    body.push('# autoresponder', ...vacationRule(filters.autoresponder, [...new Set(addresses)].sort()));
  }
  if (filters.forwarding && filters.forwarding.destinations.length > 0) {
    if (filters.forwarding.keepCopy) extensions.add('copy');
    body.push('# forwarding', ...forwardRules(filters.forwarding));
  }
  if (body.length === 0) return null;
  const require = extensions.size > 0 ? [`require ${sieveList([...extensions].sort())};`] : [];
  return [`# Hostplane: managed by the panel; edits here are replaced.`, ...require, ...body, ''].join('\n');
}
