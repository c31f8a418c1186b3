// Rspamd re-reads a changed map file on its own timer, each worker process on its own. A test that
// changes a map (a DKIM selector, a send limit) waits until the worker that scans the stack's mail
// (the milter proxy, self-scanning) has logged the re-read, instead of sleeping for a while.
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { stackStateDir } from '@hostplane/localstack/stack-env';
import { waitFor } from './poll.ts';

/** The stack's Rspamd log (the supervisor's capture of its console logging, level info). */
export function rspamdLogFile(): string {
  return path.join(stackStateDir(), 'logs', 'rspamd.log');
}

/** Where the log ends now: take it before changing a map, pass it to waitForRspamdMap. */
export function rspamdLogOffset(): number {
  const file = rspamdLogFile();
  return existsSync(file) ? statSync(file).size : 0;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Waits until the milter proxy has re-read `mapFile` after log offset `since` (rspamd logs
 * `(rspamd_proxy) … read hash of N elements from <file>` at level info).
 */
export function waitForRspamdMap(mapFile: string, since: number, timeoutMs = 20_000): Promise<true> {
  const reread = new RegExp(
    `\\(rspamd_proxy\\).*read hash of \\d+ elements from ${escapeRegExp(mapFile)}$`,
    'm',
  );
  return waitFor(
    `Rspamd's milter proxy to re-read ${mapFile}`,
    () => reread.test(readFileSync(rspamdLogFile()).subarray(since).toString('utf8')),
    { timeoutMs, intervalMs: 200 },
  );
}
