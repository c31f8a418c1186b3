// The one polling helper of the tests: check, pause, check again, until a deadline. Tests wait for
// what they need to see (a row, a DNS answer, a message, a reloaded map), never for a fixed time.
import { setTimeout as pause } from 'node:timers/promises';

export interface PollOptions {
  /** Give up after this long (default 30 s). */
  timeoutMs?: number;
  /** The pause between two checks (default 100 ms). */
  intervalMs?: number;
  /** Stops the wait at once with the signal's reason (a child process that exited, say). */
  signal?: AbortSignal;
}

type Options = PollOptions | number;

function resolve(options: Options | undefined): Required<Omit<PollOptions, 'signal'>> & PollOptions {
  const given = typeof options === 'number' ? { timeoutMs: options } : (options ?? {});
  return { timeoutMs: 30_000, intervalMs: 100, ...given };
}

function aborted(signal: AbortSignal | undefined): void {
  if (!signal?.aborted) return;
  throw signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason));
}

/**
 * Calls `check` until it returns a value that is neither `undefined` nor `false`, and returns it.
 * A check that throws counts as "not yet"; the timeout error names `what` and the last error, so a
 * check can throw to say what it saw. `options` is the timeout in ms or {@link PollOptions}.
 */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  options?: Options,
): Promise<T> {
  const { timeoutMs, intervalMs, signal } = resolve(options);
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    aborted(signal);
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
      last = undefined;
    } catch (err) {
      last = err;
    }
    aborted(signal);
    if (Date.now() >= deadline) {
      const why = last instanceof Error ? last.message : last === undefined ? '' : String(last);
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why ? `: ${why}` : ''}`);
    }
    await pause(intervalMs);
  }
}

/**
 * Reads until `done(value)` holds and returns the last value read, also when the deadline passed
 * first: the caller's assertion on it then shows what was seen instead of a bare timeout.
 */
export async function readUntil<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  options?: Options,
): Promise<T> {
  let value!: T;
  try {
    await waitFor(
      'a value',
      async () => {
        value = await read();
        return done(value);
      },
      options,
    );
  } catch (err) {
    if (value === undefined) throw err; // read itself never answered: nothing to show
  }
  return value;
}
