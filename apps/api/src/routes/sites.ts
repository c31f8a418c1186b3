import { randomBytes } from 'node:crypto';
import {
  createSiteBody,
  customerIdParams,
  siteParams,
  siteSchema,
  updateSiteBody,
} from '@hostplane/contracts';
import {
  customerDomainClaims,
  deleteSite,
  findPlanById,
  insertSite,
  type PanelDatabase,
  updateSite,
} from '@hostplane/db';
import {
  type PhpSettings,
  phpIssues,
  type SiteRestrictedInput,
  type SiteValidationIssue,
  siteHostIssues,
  siteNameIssues,
  validateSiteForRestricted,
} from '@hostplane/domain';
import { reservedNamesOf } from '@hostplane/platform';
import type { Transaction } from 'kysely';
import { sealSecret } from '../auth/secrets.ts';
import { UnprocessableError } from '../errors.ts';
import { answers, noContent } from '../http/responses.ts';
import { assertChangeWithinPlan } from '../limits.ts';
import { presentSite } from '../present.ts';
import type { ApiInstance } from '../types.ts';
import {
  changeForCustomer,
  customerTarget,
  deleteForCustomer,
  findOwned,
  registerCustomerList,
  scoped,
} from './customer-scoped.ts';
import type { RouteDeps } from './index.ts';

const tags = ['sites'];

/**
 * Pod Security "restricted", Kubernetes naming and the platform's replica cap, as @hostplane/domain
 * and the platform config state them: 422 with field paths, nothing stored.
 */
function assertRunnable(
  site: SiteRestrictedInput & { name?: string; replicas?: number | undefined },
  maxReplicas: number,
): void {
  const issues: SiteValidationIssue[] = [
    ...(site.name === undefined ? [] : siteNameIssues(site.name)),
    ...validateSiteForRestricted(site),
  ];
  if (site.replicas !== undefined && site.replicas > maxReplicas) {
    issues.push({ path: ['replicas'], message: `at most ${maxReplicas} replicas per site on this platform` });
  }
  if (issues.length > 0) {
    const errors = issues.map((i) => ({ path: i.path.join('.'), in: 'body' as const, message: i.message }));
    throw new UnprocessableError(
      errors.map((e) => `${e.path}: ${e.message}`).join('; '),
      errors,
      'site-not-runnable',
    );
  }
}

/**
 * Every host of a site equals or lies under one of the customer's own domains (wildcards: a verified
 * one, never spanning a public suffix; no `www` with a wildcard); the platform's names are never a
 * site's. 422 naming the field (`domains.1`, `www`); `only` limits the check to some fields.
 */
async function assertHostsBound(
  trx: Transaction<PanelDatabase>,
  customerId: number,
  site: { hosts: string[]; www: boolean },
  reserved: readonly string[],
  only?: 'www',
): Promise<void> {
  const issues = siteHostIssues({
    hosts: site.hosts,
    www: site.www,
    domains: await customerDomainClaims(trx, customerId),
    reserved,
  }).filter((issue) => only === undefined || issue.path[0] === only);
  if (issues.length > 0) {
    const errors = issues.map((i) => ({ path: i.path.join('.'), in: 'body' as const, message: i.message }));
    throw new UnprocessableError(
      errors.map((e) => `${e.path}: ${e.message}`).join('; '),
      errors,
      'host-not-owned',
    );
  }
}

/** phpVersion and php.ini settings against the platform's versions and the plan's bounds: 422 naming the field. */
async function assertPhp(
  trx: Transaction<PanelDatabase>,
  planId: number,
  input: { template: string; phpVersion?: string | undefined; php?: PhpSettings | undefined },
  platform: RouteDeps['platform'],
): Promise<void> {
  if (input.phpVersion === undefined && input.php === undefined) return;
  const plan = await findPlanById(trx, planId);
  const issues = phpIssues(input, plan.limits, platform);
  if (issues.length > 0) {
    const errors = issues.map((i) => ({ path: i.path.join('.'), in: 'body' as const, message: i.message }));
    throw new UnprocessableError(
      errors.map((e) => `${e.path}: ${e.message}`).join('; '),
      errors,
      'php-setting',
    );
  }
}

/** Stored php settings: an empty object clears them. */
function phpSettingsColumn(php: PhpSettings | undefined): string | null | undefined {
  if (php === undefined) return undefined;
  return Object.keys(php).length > 0 ? JSON.stringify(php) : null;
}

/** A site database's password, sealed at rest like TOTP seeds (the worker opens it for the Secret). */
function newDatabasePassword(secretKey: string | undefined): string {
  return sealSecret(randomBytes(24).toString('base64url'), secretKey);
}

export function siteRoutes(app: ApiInstance, { db, platform, config }: RouteDeps): void {
  const maxReplicas = platform.tenantLimits.maxReplicasPerSite;
  const reserved = reservedNamesOf(platform);
  registerCustomerList(app, {
    path: '/customers/:id/sites',
    table: 'sites',
    itemSchema: siteSchema,
    present: presentSite,
    tags,
    db,
  });

  app.post(
    '/customers/:id/sites',
    {
      config: scoped,
      schema: {
        tags,
        params: customerIdParams,
        body: createSiteBody,
        response: answers({ 201: siteSchema }, 403, 404, 409, 422),
      },
    },
    async (req, reply) =>
      changeForCustomer(db, req, reply, 201, async (trx, customer) => {
        const b = req.body;
        const port = b.template === 'image' ? (b.port ?? 8080) : null;
        assertRunnable(
          {
            name: b.name,
            template: b.template,
            image: b.image ?? null,
            port,
            replicas: b.replicas,
            ...(b.securityContext ? { securityContext: b.securityContext } : {}),
          },
          maxReplicas,
        );
        await assertPhp(trx, customer.plan_id, b, platform);
        await assertChangeWithinPlan(trx, customer, { sites: 1, databases: b.database ? 1 : 0 });
        await assertHostsBound(trx, customer.id, { hosts: b.domains, www: b.www }, reserved);
        const row = await insertSite(trx, {
          customer_id: customer.id,
          name: b.name,
          template: b.template,
          image: b.image ?? null,
          port,
          domains: b.domains,
          www: b.www,
          replicas: b.replicas,
          database: b.database,
          database_password: b.database ? newDatabasePassword(config.secretKey) : null,
          php_version:
            b.template === 'php'
              ? (b.phpVersion ?? platform.php.defaultVersion)
              : b.template === 'wordpress'
                ? (b.phpVersion ?? null)
                : null,
          php_settings: phpSettingsColumn(b.php) ?? null,
        });
        return {
          body: presentSite(row),
          action: 'site.create',
          target: customerTarget(customer.id, 'site', row.name),
        };
      }),
  );

  app.get(
    '/customers/:id/sites/:name',
    { config: scoped, schema: { tags, params: siteParams, response: answers({ 200: siteSchema }, 404) } },
    async (req) => presentSite(await findSite(db, req.params.id, req.params.name)),
  );

  app.patch(
    '/customers/:id/sites/:name',
    {
      config: scoped,
      schema: {
        tags,
        params: siteParams,
        body: updateSiteBody,
        response: answers({ 200: siteSchema }, 403, 404, 409, 422),
      },
    },
    async (req, reply) =>
      changeForCustomer(db, req, reply, 200, async (trx, customer) => {
        const before = await findSite(trx, customer.id, req.params.name);
        const b = req.body;
        if (before.template !== 'image' && (b.image !== undefined || b.port !== undefined)) {
          throw new UnprocessableError('image and port are only for sites of template image', [
            { path: 'image', in: 'body', message: 'only for template image' },
          ]);
        }
        assertRunnable(
          {
            template: before.template,
            image: b.image ?? before.image,
            port: b.port ?? before.port,
            replicas: b.replicas,
            ...(b.securityContext ? { securityContext: b.securityContext } : {}),
          },
          maxReplicas,
        );
        await assertPhp(
          trx,
          customer.plan_id,
          { template: before.template, phpVersion: b.phpVersion, php: b.php },
          platform,
        );
        const addsDatabase = b.database === true && !before.database;
        await assertChangeWithinPlan(trx, customer, { databases: addsDatabase ? 1 : 0 });
        if (b.domains !== undefined || b.www !== undefined) {
          const site = { hosts: b.domains ?? before.domains, www: b.www ?? before.www };
          // Hosts are checked when they change; a www change alone is checked against them as they are.
          await assertHostsBound(
            trx,
            customer.id,
            site,
            reserved,
            b.domains === undefined ? 'www' : undefined,
          );
        }
        const row = await updateSite(trx, before.id, {
          image: b.image,
          port: b.port,
          domains: b.domains,
          www: b.www,
          replicas: b.replicas,
          database: b.database,
          php_version: b.phpVersion,
          php_settings: phpSettingsColumn(b.php),
          // Generated once and kept with the data: turning the database off keeps both (the claim
          // stays), unless deleteData: then the worker prunes the claim and the password goes.
          ...(b.database === true && !before.database_password
            ? { database_password: newDatabasePassword(config.secretKey) }
            : {}),
          ...(b.database === false && b.deleteData === true ? { database_password: null } : {}),
        });
        return {
          body: presentSite(row),
          action: 'site.update',
          target: customerTarget(customer.id, 'site', row.name),
          before: presentSite(before),
        };
      }),
  );

  app.delete(
    '/customers/:id/sites/:name',
    { config: scoped, schema: { tags, params: siteParams, response: answers({ 204: noContent }, 403, 404) } },
    async (req, reply) =>
      deleteForCustomer(db, req, reply, async (trx, customer) => {
        const before = await findSite(trx, customer.id, req.params.name);
        await deleteSite(trx, before.id);
        return {
          action: 'site.delete',
          target: customerTarget(customer.id, 'site', before.name),
          before: presentSite(before),
        };
      }),
  );
}

function findSite(db: Transaction<PanelDatabase> | RouteDeps['db'], customerId: number, name: string) {
  return findOwned(db, 'sites', customerId, { column: 'name', value: name, what: 'site' });
}
