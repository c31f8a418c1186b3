// Output of child processes that run at the same time (test phases, node lanes), kept readable.
import { createInterface } from 'node:readline';

/** Copies a child's output lines to ours with a prefix, so two phases running at once stay readable. */
export function prefixLines(
  stream: NodeJS.ReadableStream,
  out: NodeJS.WriteStream,
  prefix: string,
): Promise<void> {
  const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  lines.on('line', (line) => out.write(`${prefix}${line}\n`));
  return new Promise((resolve) => lines.on('close', () => resolve()));
}
