// A customer's own Sieve script is compiled by Dovecot's `sievec` before it is saved, so Dovecot never
// meets a script it cannot run. A local binary with no network and no mail data: the script goes to a
// private temporary folder, the compiled binary is thrown away.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** Checks a Sieve script; null when it compiles, else the compiler's message. */
export interface SieveChecker {
  check(script: string): Promise<string | null>;
}

export class SievecChecker implements SieveChecker {
  constructor(
    private readonly binary = 'sievec',
    private readonly timeoutMs = 10_000,
  ) {}

  async check(script: string): Promise<string | null> {
    const dir = await mkdtemp(path.join(tmpdir(), 'hostplane-sieve-'));
    try {
      const source = path.join(dir, 'script.sieve');
      const config = path.join(dir, 'empty.conf');
      await writeFile(source, script, { mode: 0o600 });
      await writeFile(config, '', { mode: 0o600 });
      // Dovecot's own extensions setting (the mail servers' plugin section adds vacation-seconds).
      const args = ['-c', config, '-x', '+vacation-seconds', source, path.join(dir, 'script.svbin')];
      return await new Promise<string | null>((resolve, reject) => {
        execFile(this.binary, args, { timeout: this.timeoutMs }, (err, _stdout, stderr) => {
          if (!err) return resolve(null);
          if ((err as NodeJS.ErrnoException).code === 'ENOENT')
            return reject(new Error(`${this.binary} is not installed`));
          const message = stderr
            .split('\n')
            .filter((line) => line.includes('error:'))
            .map((line) => line.replace(/^script: /, '').trim())
            .join('; ');
          resolve(message || 'the script does not compile');
        });
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}
