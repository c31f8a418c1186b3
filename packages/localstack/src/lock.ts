import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { StatePaths } from './state.ts';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * One `up`/`down` at a time per state folder (say `npm start` while `npm test` brings the stack up):
 * `<stateDir>/supervisor.lock` holds the owner's pid; a lock whose owner died is taken over.
 */
export async function withStateLock<T>(paths: StatePaths, fn: () => Promise<T>): Promise<T> {
  const file = path.join(paths.stateDir, 'supervisor.lock');
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw err;
      const owner = Number(readFileSync(file, 'utf8').trim());
      if (Number.isInteger(owner) && owner > 0 && alive(owner)) {
        throw new Error(
          `another \`hostplane stack\` is changing ${paths.stateDir} (pid ${owner}); wait for it to finish`,
        );
      }
      rmSync(file, { force: true }); // its owner died mid-way
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(file, { force: true });
  }
}
