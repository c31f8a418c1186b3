import { LOG_SINCE_RELATIVE, LOG_TAIL_DEFAULT, LOG_TAIL_MAX } from '@hostplane/domain';
import { z } from 'zod';
import { idParam } from './common.ts';
import { siteName } from './sites.ts';

export const siteLogsParams = z.object({ id: idParam, name: siteName }).strict();

export const siteLogsQuery = z
  .object({
    since: z
      .string()
      .max(40)
      .optional()
      .describe(
        `lines from this time on: a relative window (${LOG_SINCE_RELATIVE.source}, e.g. 15m, 6h, 2d; at most a week) or an RFC 3339 time`,
      ),
    tail: z.coerce
      .number()
      .int()
      .min(1)
      .max(LOG_TAIL_MAX)
      .default(LOG_TAIL_DEFAULT)
      .describe('at most this many of the newest lines (follow mode: per container, before the live lines)'),
    container: z
      .string()
      .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'a container name')
      .optional()
      .describe(
        "only this container's lines: nginx (access and error log), php-fpm, wordpress, app, or edge (the platform's edge access log for the site's hosts)",
      ),
    follow: z
      .enum(['true', 'false'])
      .default('false')
      .describe(
        'true: stream application/x-ndjson, one SiteLogLine per line, the recent lines first and then each new line as it is written, until the client disconnects',
      ),
  })
  .strict();
export type SiteLogsQuery = z.infer<typeof siteLogsQuery>;

export const siteLogLineSchema = z
  .object({
    time: z.string().describe('when the container wrote the line: RFC 3339 UTC, nine fractional digits'),
    container: z
      .string()
      .describe(
        'nginx (access and error log), php-fpm, wordpress, app, or edge (the platform edge’s access log)',
      ),
    pod: z.string().describe('the pod that wrote the line; "edge" for the edge’s access log'),
    message: z.string(),
  })
  .meta({ id: 'SiteLogLine' });
export type SiteLogLine = z.infer<typeof siteLogLineSchema>;

export const siteLogsSchema = z
  .object({ items: z.array(siteLogLineSchema).describe('oldest first') })
  .meta({ id: 'SiteLogs' });
