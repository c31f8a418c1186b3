// Per-host TLS status through the API (issue 13): a customer's static site on a verified domain, made
// through the panel (buildApp + the worker's targets) on the local stack; the stack's edge (Traefik at
// HTTPS_ADDR) gets its certificates from Pebble. GET /customers/{id}/sites/{name}/certificates answers,
// per host, what the edge actually serves: Pending until the ACME order completes, then Issued with
// Pebble's issuer and the certificate's expiry — the same leaf a client gets with SNI = host.

import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { promisify } from 'node:util';
import { delegateDomain, publishAtRegistry, waitFor, withdrawFromRegistry } from '@hostplane/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkDomainUntil,
  createCustomer,
  createPlan,
  type Panel,
  runTag,
  stack,
  startPanel,
} from './support/panel.ts';

const run = promisify(execFile);
const FIRST_ID = 640_000 + (process.pid % 20_000) * 10;
const domain = `${runTag}-certs.test`;
/** A domain whose DNS is elsewhere (records published at the registry): its host starts elsewhere. */
const lateDomain = `${runTag}-late.test`;
const SLOW = 300_000;
const figures: Record<string, number> = {};

let panel: Panel;
let customerId = 0;

beforeAll(async () => {
  expect(stack.HTTPS_ADDR, 'stack env has HTTPS_ADDR (the edge)').toBeTruthy();
  panel = await startPanel(FIRST_ID);
  await panel.startWorker();
}, SLOW);

afterAll(async () => {
  process.stdout.write(`edge-certificates figures: ${JSON.stringify(figures)}\n`);
  await withdrawFromRegistry(stack, domain, 'NS').catch(() => undefined);
  await withdrawFromRegistry(stack, lateDomain, 'A').catch(() => undefined);
  await withdrawFromRegistry(stack, `_hostplane-challenge.${lateDomain}`, 'TXT').catch(() => undefined);
  if (panel && customerId) await panel.http('DELETE', `/customers/${customerId}`).catch(() => undefined);
  await panel?.close();
}, SLOW);

describe("a site's per-host certificate status", () => {
  it(
    'shows each host Pending, then Issued with the issuer and expiry of the certificate the edge serves',
    async () => {
      const plan = await createPlan(panel, 'certs', { mailboxes: 0, databases: 0 });
      customerId = await createCustomer(panel, plan.id, 'Certs Ltd', `owner@${domain}`);
      const d = await panel.http('POST', `/customers/${customerId}/domains`, {
        name: domain,
        dns: true,
        mail: false,
      });
      expect(d.status, JSON.stringify(d.body)).toBe(201);
      await delegateDomain(stack, domain);
      await checkDomainUntil(panel, customerId, domain, 'Verified');

      // Unknown site: 404 naming it; the route is the customer's own.
      expect((await panel.http('GET', `/customers/${customerId}/sites/nope/certificates`)).status).toBe(404);

      const started = Date.now();
      const s = await panel.http('POST', `/customers/${customerId}/sites`, {
        name: 'shop',
        template: 'static',
        domains: [domain],
        www: true,
      });
      expect(s.status, JSON.stringify(s.body)).toBe(201);
      const url = `/customers/${customerId}/sites/shop/certificates`;
      const states = new Set<string>();
      // biome-ignore lint/suspicious/noExplicitAny: API answers read by the assertions that check them
      const issued: any = await waitFor(
        'both hosts Issued',
        async () => {
          const res = await panel.http('GET', url);
          expect(res.status, JSON.stringify(res.body)).toBe(200);
          for (const item of res.body.items) states.add(item.state);
          if (
            res.body.items.length === 2 &&
            res.body.items.every((i: { state: string }) => i.state === 'Issued')
          )
            return res.body;
          const site = await panel.http('GET', `/customers/${customerId}/sites/shop`);
          throw new Error(`${JSON.stringify(res.body.items)}; site ${JSON.stringify(site.body.status)}`);
        },
        { timeoutMs: 180_000, intervalMs: 1_000 },
      );
      figures.postToIssuedSeconds = (Date.now() - started) / 1000;
      expect(issued.items.map((i: { host: string }) => i.host).sort()).toEqual(
        [domain, `www.${domain}`].sort(),
      );
      for (const item of issued.items) {
        expect(item.issuer).toMatch(/Pebble/);
        expect(Date.parse(item.notAfter)).toBeGreaterThan(Date.now());
        expect(item.message).toContain('issued by');
        // The same leaf a client gets from the edge with SNI = host.
        const [edgeHost, port] = (stack.HTTPS_ADDR ?? '').split(':');
        const { stdout } = await run('sh', [
          '-c',
          `openssl s_client -connect ${edgeHost}:${port} -servername ${item.host} </dev/null 2>/dev/null | openssl x509`,
        ]);
        const leaf = new X509Certificate(stdout);
        expect(new Date(leaf.validTo).toISOString()).toBe(item.notAfter);
        expect(leaf.checkHost(item.host)).toBe(item.host);
      }
      // Before the order completed, the hosts were Pending (the edge served its default certificate).
      process.stdout.write(`edge-certificates states seen: ${[...states].join(', ')}\n`);
      expect([...states].every((x) => x === 'Pending' || x === 'Issued')).toBe(true);
    },
    SLOW,
  );

  it(
    'says AwaitingDNS while the host points elsewhere, and leaves it once the host points at the platform',
    async () => {
      expect(customerId, 'the first test made the customer').toBeGreaterThan(0);
      const d = await panel.http('POST', `/customers/${customerId}/domains`, {
        name: lateDomain,
        dns: false,
        mail: false,
      });
      expect(d.status, JSON.stringify(d.body)).toBe(201);
      // Ownership by the TXT challenge at the registry (the domain's DNS is not the platform's).
      await publishAtRegistry(stack, `_hostplane-challenge.${lateDomain}`, 'TXT', [
        d.body.verification.token,
      ]);
      await checkDomainUntil(panel, customerId, lateDomain, 'Verified');
      await publishAtRegistry(stack, lateDomain, 'A', ['192.0.2.10']);
      const s = await panel.http('POST', `/customers/${customerId}/sites`, {
        name: 'late',
        template: 'static',
        domains: [lateDomain],
        www: false,
      });
      expect(s.status, JSON.stringify(s.body)).toBe(201);
      const url = `/customers/${customerId}/sites/late/certificates`;
      const awaiting = await waitFor(
        `${lateDomain} AwaitingDNS`,
        async () => {
          const res = await panel.http('GET', url);
          if (res.body.items?.[0]?.state === 'AwaitingDNS') return res.body.items[0];
          throw new Error(JSON.stringify(res.body));
        },
        { timeoutMs: 120_000, intervalMs: 1_000 },
      );
      expect(awaiting).toMatchObject({ host: lateDomain, issuer: null, notAfter: null });
      expect(awaiting.message).toMatch(/does not resolve to the platform/);

      // The customer points the host at the platform; the next pass (the periodic resync in production,
      // the operator's reconcile here) finds it once the resolver's cached answer (TTL 60 s) expires,
      // and the host leaves AwaitingDNS: its Ingress gets TLS and the edge orders its certificate.
      // (Issued is not awaited here: the stack's Pebble resolves through the platform's PowerDNS only,
      // so it cannot validate a domain whose DNS is elsewhere; the first test proves Pending → Issued.)
      const [edgeAddress] = (stack.HTTPS_ADDR ?? '').split(':');
      await publishAtRegistry(stack, lateDomain, 'A', [edgeAddress ?? '']);
      const started = Date.now();
      const wanted = await waitFor(
        `${lateDomain} out of AwaitingDNS`,
        async () => {
          const res = await panel.http('GET', url);
          const state = res.body.items?.[0]?.state;
          if (state === 'Pending' || state === 'Issued') return res.body.items[0];
          await panel.http('POST', `/customers/${customerId}/reconcile`);
          throw new Error(JSON.stringify(res.body));
        },
        { timeoutMs: 180_000, intervalMs: 5_000 },
      );
      figures.fixedRecordToWantedSeconds = (Date.now() - started) / 1000;
      expect(wanted.host).toBe(lateDomain);
    },
    SLOW,
  );
});
