import fastifyCookie from '@fastify/cookie';
import fastifySwagger from '@fastify/swagger';
import type { PanelDatabase } from '@hostplane/db';
import { type PlatformConfig, parsePlatformConfig } from '@hostplane/platform';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import { pino } from 'pino';
import type { Registry } from 'prom-client';
import { enforceAccess, resolvePrincipal } from './auth/authenticate.ts';
import { type ApiConfig, type ApiConfigInput, apiConfigSchema } from './config.ts';
import type { DatabaseDumps } from './database-dumps.ts';
import type { EdgeCertificates } from './edge-certificates.ts';
import { handleError } from './error-handler.ts';
import { MethodNotAllowedError, NotFoundError } from './errors.ts';
import { schedulePurge } from './housekeeping.ts';
import { finishDocument } from './http/openapi.ts';
import { logRedaction } from './http/redact.ts';
import type { MailUsageReader } from './mail-usage.ts';
import { createRegistry, registerObservability, requestIdOf } from './observability.ts';
import { registerRoutes } from './routes/index.ts';
import { type SieveChecker, SievecChecker } from './sieve-check.ts';
import type { SiteLogs } from './site-logs.ts';
import type { TenantReads } from './tenant-reads.ts';
import type { ApiInstance } from './types.ts';

export interface BuildAppDeps {
  db: Kysely<PanelDatabase>;
  /** Parsed with apiConfigSchema; defaults fill the rest. */
  config?: ApiConfigInput;
  /** A pino logger; by default one on stdout at config.logLevel. */
  logger?: FastifyBaseLogger;
  /** Shared with the worker's metrics when given, so /metrics shows both. */
  metricsRegistry?: Registry;
  /**
   * The platform config the worker's targets use (replica cap, quotas for plan changes, the DNS
   * policy the record listing shows); the schema's defaults when absent.
   */
  platform?: PlatformConfig;
  /** Checks customers' own Sieve scripts; Dovecot's `sievec` from PATH when absent. */
  sieve?: SieveChecker;
  /** Mailbox usage for lists (doveadm HTTP API); none when absent. */
  mailUsage?: MailUsageReader | null;
  /** Export/import of customer databases; 503 when absent. */
  databaseDumps?: DatabaseDumps | null;
  /** Live reads of tenant workloads (cron runs). */
  tenantReads?: TenantReads | null;
  /** Live reads of a site's container logs; 503 when absent. */
  siteLogs?: SiteLogs | null;
  edgeCertificates?: EdgeCertificates | null;
}

export const API_PREFIX = '/api/v1';

export interface RouteEntry {
  method: string;
  url: string;
  access: string | undefined;
  customerScoped: boolean;
  hidden: boolean;
}

const routeTables = new WeakMap<FastifyInstance, RouteEntry[]>();

/** Every route the app serves (HEAD twins excluded): tests walk it so no route escapes a check. */
export function routeTable(app: FastifyInstance): RouteEntry[] {
  return routeTables.get(app) ?? [];
}

/** The methods the route table serves for a concrete path (HEAD with GET), in a stable order. */
export function allowedMethods(table: RouteEntry[], path: string): string[] {
  const trimmed = path.length > 1 ? path.replace(/\/+$/, '') : path;
  const methods = new Set<string>();
  for (const route of table) {
    const pattern = new RegExp(
      `^${route.url
        .replace(/\/+$/, '')
        .split('/')
        .map((s) => (s.startsWith(':') ? '[^/]+' : s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
        .join('/')}$`,
    );
    if (pattern.test(trimmed)) {
      methods.add(route.method);
      if (route.method === 'GET') methods.add('HEAD');
    }
  }
  const order = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
  return [...methods].sort((a, b) => order.indexOf(a) - order.indexOf(b));
}

/** The panel API as a Fastify instance (not listening): the composition root calls listen(). */
export async function buildApp(deps: BuildAppDeps): Promise<FastifyInstance> {
  const config: ApiConfig = apiConfigSchema.parse(deps.config ?? {});
  const loggerInstance = deps.logger ?? pino({ level: config.logLevel, ...logRedaction });
  const registry = deps.metricsRegistry ?? createRegistry();
  const app = Fastify({
    loggerInstance,
    // One line per request, written by our onResponse hook (with route and duration), not two.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'requestId' }),
    genReqId: requestIdOf,
    bodyLimit: config.bodyLimitBytes,
    // A hop count as proxy-addr counts it: the socket's peer and n-1 more X-Forwarded-For entries.
    trustProxy:
      typeof config.trustProxy === 'number'
        ? (
            (hops: number) => (_addr: string, i: number) =>
              i < hops
          )(config.trustProxy)
        : config.trustProxy,
    routerOptions: { ignoreTrailingSlash: true },
    // Router-level refusals (an over-long path parameter: 414, a malformed URL: 400) are problem+json too.
    frameworkErrors: (error, req, reply) => handleError(error, req, reply),
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(handleError);
  app.setNotFoundHandler((req) => {
    const path = req.url.split('?')[0]!;
    // A path the API serves, asked with a method it does not: 405 naming the methods it does.
    const allowed = allowedMethods(table, path);
    if (allowed.length > 0) throw new MethodNotAllowedError(req.method, path, allowed);
    throw new NotFoundError(`route ${req.method} ${path}`);
  });
  app.decorateRequest('principal', null);
  app.decorate('secretKey', config.secretKey);
  const table: RouteEntry[] = [];
  routeTables.set(app, table);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      if (method === 'HEAD') continue;
      const config = (route.config ?? {}) as { access?: string; customerScoped?: boolean };
      const hidden = Boolean((route.schema as { hide?: boolean } | undefined)?.hide);
      // Public routes need no credentials: say so in the OpenAPI document.
      if (config.access === 'public' && route.schema)
        (route.schema as { security?: unknown[] }).security = [];
      table.push({
        method,
        url: route.url,
        access: config.access,
        customerScoped: config.customerScoped === true,
        hidden,
      });
    }
  });
  await app.register(fastifyCookie);
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Hostplane panel API',
        version: '1.0.0',
        description: 'Plans, customers and their hosting resources.',
        license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
      },
      components: {
        securitySchemes: {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            description: 'API token (hp_…) from POST /api/v1/tokens',
          },
          session: { type: 'apiKey', in: 'cookie', name: 'hp_session' },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: (input) => finishDocument(jsonSchemaTransformObject(input)),
  });
  registerObservability(app, registry);
  const stopPurge = schedulePurge(deps.db, config, app.log);
  app.addHook('onClose', async () => stopPurge());
  app.addHook('onRequest', async (req) => {
    if (req.is404) return;
    req.principal = await resolvePrincipal(deps.db, req);
    enforceAccess(req);
  });
  await app.register(async (scope) => {
    await registerRoutes(scope as ApiInstance, {
      db: deps.db,
      config,
      registry,
      platform: deps.platform ?? parsePlatformConfig({}),
      sieve: deps.sieve ?? new SievecChecker(),
      mailUsage: deps.mailUsage ?? null,
      databaseDumps: deps.databaseDumps ?? null,
      tenantReads: deps.tenantReads ?? null,
      siteLogs: deps.siteLogs ?? null,
      edgeCertificates: deps.edgeCertificates ?? null,
    });
  });
  return app;
}
