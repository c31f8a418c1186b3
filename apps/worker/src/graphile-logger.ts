import { Logger as GraphileLogger } from 'graphile-worker';
import type { Logger } from 'pino';

/** graphile-worker's log lines through pino, with its scope (worker, task, job) as fields. */
export function graphileLogger(logger: Logger): GraphileLogger {
  return new GraphileLogger((scope) => {
    const child = logger.child({ component: 'graphile-worker', ...scope });
    return (level, message, meta) => {
      const fields = meta ?? {};
      if (level === 'error') child.error(fields, message);
      else if (level === 'warning') child.warn(fields, message);
      else if (level === 'info') child.info(fields, message);
      else child.debug(fields, message);
    };
  });
}
