// A site's logs (issue 16): its web pods' container logs (nginx access and error log, php-fpm),
// read live from the customer's own namespace through the SiteLogs port; recent lines as JSON, or
// followed as NDJSON until the client goes.
import { Readable } from 'node:stream';
import { type SiteLogLine, siteLogsParams, siteLogsQuery, siteLogsSchema } from '@hostplane/contracts';
import { logWindowOf, siteHosts } from '@hostplane/domain';
import { ServiceUnavailableError, UnprocessableError } from '../errors.ts';
import { answers } from '../http/responses.ts';
import type { ApiInstance } from '../types.ts';
import { findOwned, scoped } from './customer-scoped.ts';
import type { RouteDeps } from './index.ts';

const tags = ['sites'];

export function siteLogRoutes(app: ApiInstance, { db, siteLogs }: RouteDeps): void {
  app.get(
    '/customers/:id/sites/:name/logs',
    {
      config: scoped,
      schema: {
        tags,
        params: siteLogsParams,
        querystring: siteLogsQuery,
        description:
          "The site's container logs (nginx access and error log, php-fpm) and, where the panel reads the edge's access log, the edge's lines for the site's hosts (container 'edge'), oldest first. With follow=true the answer is application/x-ndjson: one SiteLogLine per line, the recent lines first, then every new line as it is written, until the client disconnects. Only the site's own pods in the customer's namespace are read.",
        produces: ['application/json', 'application/x-ndjson'],
        response: answers({ 200: siteLogsSchema }, 404, 422, 503),
      },
    },
    async (req, reply) => {
      const site = await findOwned(db, 'sites', req.params.id, {
        column: 'name',
        value: req.params.name,
        what: 'site',
      });
      const window = logWindowOf(req.query.since, new Date());
      if (!window)
        throw new UnprocessableError(
          'since: a relative window such as 15m, 6h or 2d, or an RFC 3339 time',
          [
            {
              path: 'since',
              in: 'querystring',
              message: 'a relative window (15m, 6h, 2d) or an RFC 3339 time',
            },
          ],
          'invalid-since',
        );
      if (!siteLogs) throw new ServiceUnavailableError('site logs are not configured on this panel');
      const query = {
        window,
        tail: req.query.tail,
        hosts: siteHosts(site),
        ...(req.query.container ? { container: req.query.container } : {}),
      };
      if (req.query.follow !== 'true') {
        try {
          return { items: await siteLogs.read(req.params.id, site.name, query) };
        } catch (error) {
          // The cluster did not answer or refused (its message is for operators, not for the customer).
          req.log.warn({ err: error, customerId: req.params.id, site: site.name }, 'site logs read failed');
          throw new ServiceUnavailableError('the site logs cannot be read right now; try again shortly');
        }
      }

      const stop = new AbortController();
      reply.raw.on('close', () => stop.abort());
      const lines = siteLogs.follow(req.params.id, site.name, query, stop.signal);
      async function* ndjson(): AsyncGenerator<string> {
        for await (const line of lines) yield `${JSON.stringify(line satisfies SiteLogLine)}\n`;
      }
      const body = Readable.from(ndjson(), { objectMode: false });
      body.on('close', () => stop.abort());
      // A stream goes out as it comes (Fastify never serializes it against the schema).
      return reply
        .type('application/x-ndjson; charset=utf-8')
        .header('cache-control', 'no-store')
        .header('x-accel-buffering', 'no')
        .send(body as unknown as { items: SiteLogLine[] });
    },
  );
}
