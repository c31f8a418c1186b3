// `npm run bench:kopia-build` (outside a network namespace: it needs the Go module proxy): builds the
// `kopia` CLI that `npm run bench:backup` runs beside Velero, from its Go module at the version Velero
// v1.18 requires (`github.com/kopia/kopia v0.16.0`; Velero links its fork `project-velero/kopia` of the
// same line, which has no CLI changes of note), CGO off, into ~/.cache/hostplane/kopia/<version>/kopia.
// Nothing is rebuilt when the binary is there.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const KOPIA_VERSION = 'v0.16.0';
const out = path.join(os.homedir(), '.cache/hostplane/kopia', KOPIA_VERSION, 'kopia');

if (existsSync(out)) {
  process.stdout.write(`kopia ${KOPIA_VERSION}: cached (${out})\n`);
} else {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kopia-build-'));
  try {
    const env = { ...process.env, CGO_ENABLED: '0' };
    const started = Date.now();
    await run('go', ['mod', 'init', 'kopiabuild'], { cwd: dir, env });
    await run('go', ['get', `github.com/kopia/kopia@${KOPIA_VERSION}`], { cwd: dir, env });
    mkdirSync(path.dirname(out), { recursive: true });
    await run('go', ['build', '-trimpath', '-o', out, 'github.com/kopia/kopia'], {
      cwd: dir,
      env,
      maxBuffer: 16 * 1024 * 1024,
    });
    process.stdout.write(
      `kopia ${KOPIA_VERSION}: built in ${((Date.now() - started) / 1000).toFixed(0)} s → ${out}\n`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
