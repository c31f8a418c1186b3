// Failed validations back off (issue 13, rate-limit awareness). Traefik v3.6 retries a failed ACME
// obtain on every configuration change it receives, with no backoff of its own; the platform spaces the
// attempts itself (packages/domain/src/tls/acme-attempts.ts). Here validation really fails against the
// stack's Pebble: the domain's DNS is elsewhere (its host's A record at the registry points at the edge,
// so the platform's resolver says it resolves to the platform), but Pebble resolves through the
// platform's PowerDNS only, which has no zone for it, so every HTTP-01 validation fails. The site's
// host shows Failed with its attempt count and next attempt, its router leaves the resolver (HTTP only)
// between attempts, the attempts are spaced by a doubling delay (Pebble sees exactly the attempts the
// platform counts); then the customer lets the platform serve the domain's DNS (the fix Pebble can
// see) and the next attempt, on the worker's own schedule, gets the certificate without manual action.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tenantNamespace } from '@hostplane/domain';
import { KINDS } from '@hostplane/provisioner-k8s';
import { publishAtRegistry, stackStateDir, waitFor, withdrawFromRegistry } from '@hostplane/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkDomainUntil,
  createCustomer,
  createPlan,
  type Panel,
  platformInput,
  runTag,
  stack,
  startPanel,
} from './support/panel.ts';

const FIRST_ID = 660_000 + (process.pid % 20_000) * 10;
const domain = `${runTag}-backoff.test`;
const SLOW = 420_000;
const WINDOW_S = 15;
const INITIAL_S = 20;
const figures: Record<string, number | string> = {};

let panel: Panel;
let customerId = 0;

interface HostCert {
  host: string;
  state: string;
  attempts: number;
  nextAttemptAt: string | null;
  issuer: string | null;
  message: string;
}

/**
 * When Pebble's VA validated the host (ms, to the second of its log). Traefik may validate more than
 * once within one attempt window (it retries on every configuration change it receives); between the
 * windows, with the host off the resolver, it must not at all.
 */
function pebbleValidations(host: string): number[] {
  const log = readFileSync(join(stackStateDir(), 'logs', 'pebble.log'), 'utf8');
  return log
    .split('\n')
    .filter((line) => line.includes('Pulled a task') && line.includes(`"${host}"`))
    .map((line) => {
      const [, date, time] = /^Pebble (\d{4}\/\d\d\/\d\d) (\d\d:\d\d:\d\d)/.exec(line) ?? [];
      return Date.parse(`${(date ?? '').replaceAll('/', '-')}T${time}Z`);
    });
}

beforeAll(async () => {
  expect(stack.HTTPS_ADDR, 'stack env has HTTPS_ADDR (the edge)').toBeTruthy();
  panel = await startPanel(FIRST_ID, {
    ...platformInput,
    ingress: {
      acmeBackoff: { attemptWindowSeconds: WINDOW_S, initialDelaySeconds: INITIAL_S, maxDelaySeconds: 3600 },
    },
  });
  await panel.startWorker({
    env: {
      EDGE_TLS_ADDR: stack.HTTPS_ADDR ?? '',
      ...(stack.ACME_ROOT_CA ? { EDGE_TLS_CA_FILE: stack.ACME_ROOT_CA } : {}),
    },
  });
}, SLOW);

afterAll(async () => {
  process.stdout.write(`edge-certificate-backoff figures: ${JSON.stringify(figures)}\n`);
  await withdrawFromRegistry(stack, domain, 'A').catch(() => undefined);
  await withdrawFromRegistry(stack, `_hostplane-challenge.${domain}`, 'TXT').catch(() => undefined);
  if (panel && customerId) await panel.http('DELETE', `/customers/${customerId}`).catch(() => undefined);
  await panel?.close();
}, SLOW);

describe('failed certificate validations', () => {
  it(
    'back off with a doubling delay, off the resolver, shown as Failed; once fixed the certificate arrives by itself',
    async () => {
      const plan = await createPlan(panel, 'backoff', { sites: 1, domains: 1, mailboxes: 0, databases: 0 });
      customerId = await createCustomer(panel, plan.id, 'Backoff Ltd', `owner@${domain}`);
      const d = await panel.http('POST', `/customers/${customerId}/domains`, {
        name: domain,
        dns: false,
        mail: false,
      });
      expect(d.status, JSON.stringify(d.body)).toBe(201);
      await publishAtRegistry(stack, `_hostplane-challenge.${domain}`, 'TXT', [d.body.verification.token]);
      await checkDomainUntil(panel, customerId, domain, 'Verified');
      // The host points at the edge for the platform's resolver; Pebble cannot resolve it.
      const [edgeAddress] = (stack.HTTPS_ADDR ?? '').split(':');
      await publishAtRegistry(stack, domain, 'A', [edgeAddress ?? '']);

      const started = Date.now();
      const s = await panel.http('POST', `/customers/${customerId}/sites`, {
        name: 'shop',
        template: 'static',
        domains: [domain],
        www: false,
      });
      expect(s.status, JSON.stringify(s.body)).toBe(201);
      const url = `/customers/${customerId}/sites/shop/certificates`;
      const states: string[] = [];
      const cert = async (): Promise<HostCert> => {
        const res = await panel.http('GET', url);
        expect(res.status, JSON.stringify(res.body)).toBe(200);
        const item = res.body.items[0] as HostCert;
        const seen = `${item.state}#${item.attempts}`;
        if (states.at(-1) !== seen) states.push(seen);
        return item;
      };
      const failedAt = async (attempts: number): Promise<{ item: HostCert; at: number }> =>
        waitFor(
          `${domain} Failed after attempt ${attempts}`,
          async () => {
            const item = await cert();
            if (item.state === 'Failed' && item.attempts === attempts) return { item, at: Date.now() };
            throw new Error(JSON.stringify(item));
          },
          { timeoutMs: 180_000, intervalMs: 1_000 },
        );

      // Attempt 1 fails: Failed, 1 attempt, the next one about INITIAL_S later.
      const first = await failedAt(1);
      figures.postToFirstFailedSeconds = (first.at - started) / 1000;
      expect(first.item.issuer).toBeNull();
      expect(first.item.message).toMatch(/1 ACME attempt for .* failed/);
      const wait1 = Date.parse(first.item.nextAttemptAt ?? '') - first.at;
      expect(wait1).toBeGreaterThan((INITIAL_S - 8) * 1000);
      expect(wait1).toBeLessThanOrEqual(INITIAL_S * 1000);

      // Off the resolver while it backs off: the host's only Ingress is the plain-HTTP one.
      const ns = tenantNamespace(customerId);
      // (The pass records the failure, then applies: the Ingresses follow within that pass.)
      await waitFor(
        'only the plain-HTTP Ingress',
        async () => {
          const names = (await panel.admin.list(KINDS.Ingress, ns)).map((i) => i.metadata.name).sort();
          if (names.join() === 'shop-http') return true;
          throw new Error(names.join());
        },
        { timeoutMs: 30_000, intervalMs: 250 },
      );

      // Attempt 2 starts by itself at nextAttemptAt, fails, and waits twice as long.
      const second = await failedAt(2);
      const wait2 = Date.parse(second.item.nextAttemptAt ?? '') - second.at;
      expect(wait2).toBeGreaterThan((2 * INITIAL_S - 8) * 1000);
      expect(wait2).toBeLessThanOrEqual(2 * INITIAL_S * 1000);
      figures.firstToSecondFailedSeconds = (second.at - first.at) / 1000;
      // Pebble was asked in each attempt window, and not once while the host was off the resolver.
      const validations = pebbleValidations(domain);
      const gap = [first.at + 1_000, Date.parse(first.item.nextAttemptAt ?? '') - 1_000];
      figures.validationsInTwoAttempts = validations.length;
      expect(validations.filter((t) => t < first.at).length).toBeGreaterThan(0);
      expect(validations.filter((t) => t > (gap[0] ?? 0) && t < (gap[1] ?? 0))).toEqual([]);
      expect(validations.filter((t) => t >= (gap[1] ?? 0)).length).toBeGreaterThan(0);

      // The fix: the platform serves the domain's DNS, so Pebble resolves the host to the edge. No
      // reconcile is asked for: the worker's own next pass (at nextAttemptAt) makes attempt 3.
      const fixed = Date.now();
      const patched = await panel.http('PATCH', `/customers/${customerId}/domains/${domain}`, { dns: true });
      expect(patched.status, JSON.stringify(patched.body)).toBe(200);
      const issued = await waitFor(
        `${domain} Issued`,
        async () => {
          const item = await cert();
          if (item.state === 'Issued') return item;
          throw new Error(JSON.stringify(item));
        },
        { timeoutMs: 180_000, intervalMs: 1_000 },
      );
      figures.fixToIssuedSeconds = (Date.now() - fixed) / 1000;
      figures.states = states.join(' → ');
      expect(issued).toMatchObject({ host: domain, attempts: 0, nextAttemptAt: null });
      expect(issued.issuer).toMatch(/Pebble/);
      expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(second.item.nextAttemptAt ?? ''));
      // Nothing was asked between the second failure and the third attempt either.
      const gap2 = [second.at + 1_000, Date.parse(second.item.nextAttemptAt ?? '') - 1_000];
      expect(pebbleValidations(domain).filter((t) => t > (gap2[0] ?? 0) && t < (gap2[1] ?? 0))).toEqual([]);
      // Its router is back on the resolver, with the HTTPS redirect.
      const after = await panel.admin.list(KINDS.Ingress, ns);
      expect(after.map((i) => i.metadata.name).sort()).toEqual(['shop', 'shop-redirect']);
    },
    SLOW,
  );
});
