import type { PanelDatabase } from '@hostplane/db';
import type { PlatformConfig } from '@hostplane/platform';
import type { Kysely } from 'kysely';
import type { Registry } from 'prom-client';
import type { ApiConfig } from '../config.ts';
import type { DatabaseDumps } from '../database-dumps.ts';
import type { EdgeCertificates } from '../edge-certificates.ts';
import type { MailUsageReader } from '../mail-usage.ts';
import type { SieveChecker } from '../sieve-check.ts';
import type { SiteLogs } from '../site-logs.ts';
import type { TenantReads } from '../tenant-reads.ts';
import type { ApiInstance } from '../types.ts';
import { aliasRoutes } from './aliases.ts';
import { authRoutes } from './auth.ts';
import { backupRoutes } from './backups.ts';
import { cronJobRoutes } from './cronjobs.ts';
import { customerRoutes } from './customers.ts';
import { databaseRoutes } from './databases.ts';
import { domainRoutes } from './domains.ts';
import { healthRoutes } from './health.ts';
import { mailFilterRoutes } from './mail-filters.ts';
import { mailUsageRoutes } from './mail-usage.ts';
import { mailboxRoutes } from './mailboxes.ts';
import { planRoutes } from './plans.ts';
import { platformInfoRoutes } from './platform-info.ts';
import { readRoutes } from './reads.ts';
import { recordRoutes } from './records.ts';
import { sftpRoutes } from './sftp.ts';
import { siteCertificateRoutes } from './site-certificates.ts';
import { siteLogRoutes } from './site-logs.ts';
import { siteRoutes } from './sites.ts';
import { tokenRoutes } from './tokens.ts';
import { totpRoutes } from './totp.ts';

export interface RouteDeps {
  db: Kysely<PanelDatabase>;
  config: ApiConfig;
  registry: Registry;
  platform: PlatformConfig;
  /** Compiles a customer's own Sieve script before it is saved (Dovecot's sievec). */
  sieve: SieveChecker;
  /** Live mailbox usage (Dovecot's doveadm HTTP API); null: usage is not shown. */
  mailUsage: MailUsageReader | null;
  /** Export and import of customer databases (live, as the database's owner); null: 503. */
  databaseDumps?: DatabaseDumps | null;
  /** Live reads of tenant workloads (cron runs); null: lastRuns stay empty. */
  tenantReads?: TenantReads | null;
  /** Live reads of a site's container logs; null: 503. */
  siteLogs?: SiteLogs | null;
  /** The certificate the edge serves per host (live TLS handshakes); null: 503. */
  edgeCertificates?: EdgeCertificates | null;
}

export async function registerRoutes(app: ApiInstance, deps: RouteDeps): Promise<void> {
  healthRoutes(app, deps);
  await app.register(
    async (api) => {
      const v1 = api as ApiInstance;
      v1.get('/openapi.json', { schema: { hide: true }, config: { access: 'public' } }, async () =>
        app.swagger(),
      );
      for (const routes of [
        authRoutes,
        totpRoutes,
        tokenRoutes,
        planRoutes,
        customerRoutes,
        siteRoutes,
        siteLogRoutes,
        siteCertificateRoutes,
        databaseRoutes,
        cronJobRoutes,
        domainRoutes,
        recordRoutes,
        mailboxRoutes,
        mailFilterRoutes,
        mailUsageRoutes,
        aliasRoutes,
        backupRoutes,
        readRoutes,
        sftpRoutes,
        platformInfoRoutes,
      ]) {
        routes(v1, deps);
      }
    },
    { prefix: '/api/v1' },
  );
}
