// Issue 9, "Domain ownership" and "Site hosts bound to the customer's own domains", through the API
// with the worker running, against the local internet of the stack: a TLD registry (REGISTRY_API_URL)
// where the test plays registrar, and a recursive resolver (DNS_RESOLVER_ADDR) that follows
// delegation from the root. Read back through the mail MySQL, the Kubernetes API and dig.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { KINDS } from '@hostplane/provisioner-k8s';
import {
  delegateDomain,
  dropElsewhere,
  hostElsewhere,
  publishAtRegistry,
  waitFor,
  withdrawFromRegistry,
} from '@hostplane/testing';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkDomainNow,
  checkDomainUntil,
  createPlan,
  markVerified,
  newPassword,
  type Panel,
  runTag,
  stack,
  startPanel,
} from './support/panel.ts';

const execFileAsync = promisify(execFile);
/** Unique per call, so a retried test never meets the names of its first attempt. */
const uniq = () => `${runTag}${randomBytes(2).toString('hex')}`;
const FIRST_ID = 700_000 + (process.pid % 20_000) * 10;
const SLOW = 240_000;

let panel: Panel;
let planId: number;
let mailDb: mysql.Connection;

async function newCustomer(label: string): Promise<number> {
  const res = await panel.http('POST', '/customers', {
    name: label,
    email: `${label}-${uniq()}@owner.example`,
    planId,
    password: newPassword(),
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}

async function addDomain(customerId: number, name: string, extra: object = {}) {
  return panel.http('POST', `/customers/${customerId}/domains`, { name, dns: true, mail: true, ...extra });
}

async function mailDomainRows(name: string): Promise<number> {
  const [rows] = await mailDb.query('SELECT name FROM virtual_domains WHERE name = ?', [name]);
  return (rows as unknown[]).length;
}

const checkNow = (customerId: number, name: string) => checkDomainNow(panel, customerId, name);
const checkUntil = (customerId: number, name: string, state: string, message?: RegExp) =>
  checkDomainUntil(panel, customerId, name, state, message);

async function dig(name: string, type: string): Promise<string[]> {
  const [host, port] = (stack.DNS_RESOLVER_ADDR ?? '').split(':') as [string, string];
  const { stdout } = await execFileAsync('dig', [
    `@${host}`,
    '-p',
    port,
    '+short',
    '+time=3',
    '+tries=2',
    name,
    type,
  ]);
  return stdout.trim().split('\n').filter(Boolean);
}

beforeAll(async () => {
  panel = await startPanel(FIRST_ID);
  await panel.startWorker();
  const plan = await createPlan(panel, 'ownership', { sites: 5, domains: 10, mailboxes: 5, databases: 0 });
  planId = plan.id;
  mailDb = await mysql.createConnection(stack.MAIL_DATABASE_URL);
}, SLOW);

afterAll(async () => {
  await mailDb?.end();
  await panel?.close();
});

describe('the local internet', () => {
  it(
    'resolves a customer zone through the recursor once the registry delegates it to the platform',
    async () => {
      const customer = await newCustomer('delegated');
      const domain = `${uniq()}-deleg.test`;
      expect((await addDomain(customer, domain, { mail: false })).status).toBe(201);
      // The zone exists on the platform's PowerDNS, but nobody on the internet is told about it yet.
      await waitFor('the zone on the platform', async () => {
        const { stdout } = await execFileAsync('dig', [
          '@127.0.0.1',
          '-p',
          stack.PDNS_DNS_ADDR.split(':')[1]!,
          '+short',
          domain,
          'A',
        ]);
        return stdout.includes('127.0.0.1');
      });
      expect(await dig(domain, 'A')).toEqual([]);
      await delegateDomain(stack, domain);
      await waitFor(
        'A through the resolver',
        async () => (await dig(domain, 'A')).includes('127.0.0.1'),
        30_000,
      );
      expect((await dig(domain, 'NS')).sort()).toEqual(['ns1.hostplane.test.', 'ns2.hostplane.test.']);
      await withdrawFromRegistry(stack, domain, 'NS');
    },
    SLOW,
  );
});

describe('domain ownership', () => {
  it(
    "adds another provider's name without capturing its mail until it is verified; an admin mark is audited",
    async () => {
      const customer = await newCustomer('squatter');
      const domain = `${uniq()}-mailprovider.test`;
      const created = await addDomain(customer, domain);
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      expect(created.body.verification).toMatchObject({ state: 'Pending', method: null, checkedAt: null });
      expect(created.body.verification.token).toMatch(/^hp-[0-9a-f]{32}$/);
      // The Mail pass ran for this generation: it knows the domain and still wrote no row for it.
      await waitFor(
        'Mail condition at the current generation',
        async () => {
          const c = (await panel.http('GET', `/customers/${customer}`)).body;
          const mail = c.status.conditions.find((x: { type: string }) => x.type === 'Mail');
          return mail?.observedGeneration === c.generation && mail.reason === 'AwaitingVerification'
            ? mail
            : undefined;
        },
        90_000,
      );
      expect(await mailDomainRows(domain)).toBe(0);
      const checked = await checkNow(customer, domain);
      expect(checked.state).toBe('Failed');
      expect(checked.message).toMatch(/not delegated|does not hold the token/);
      expect(await mailDomainRows(domain)).toBe(0);

      // An admin can mark it by hand, and the audit log says who.
      const marked = await panel.http('POST', `/customers/${customer}/domains/${domain}/verify`, {
        method: 'admin',
        note: 'contract seen',
      });
      expect(marked.status, JSON.stringify(marked.body)).toBe(200);
      expect(marked.body.verification).toMatchObject({ state: 'Verified', method: 'admin' });
      await waitFor('virtual_domains row', async () => (await mailDomainRows(domain)) === 1, 90_000);
      const audit = await panel.api.db
        .selectFrom('audit_log')
        .select(['action', 'target', 'actor_user_id'])
        .where('customer_id', '=', customer)
        .where('action', '=', 'domain.verify.admin')
        .execute();
      expect(audit).toEqual([
        expect.objectContaining({
          target: `customer/${customer}/domain/${domain}`,
          actor_user_id: expect.any(Number),
        }),
      ]);
    },
    SLOW,
  );

  it(
    'verifies by NS delegation seen through the recursor, then the mail domain goes live',
    async () => {
      const customer = await newCustomer('ns-owner');
      const domain = `${uniq()}-nsproof.test`;
      expect((await addDomain(customer, domain)).status).toBe(201);
      expect((await checkNow(customer, domain)).state).toBe('Failed');
      // Hosted by another DNS provider: its NS set is not the platform's, no proof.
      await hostElsewhere(stack, domain);
      const elsewhere = await checkUntil(customer, domain, 'Failed', /delegated to ns\.nic\.test, not to/);
      expect(elsewhere.method).toBeNull();
      await dropElsewhere(stack, domain);
      await delegateDomain(stack, domain);
      const v = await checkUntil(customer, domain, 'Verified');
      expect(v, v.message).toMatchObject({ state: 'Verified', method: 'ns' });
      await waitFor('virtual_domains row', async () => (await mailDomainRows(domain)) === 1, 90_000);
      await withdrawFromRegistry(stack, domain, 'NS');
    },
    SLOW,
  );

  it(
    'verifies by the TXT challenge at a DNS host that is not the platform, and revokes it after the proof is gone',
    async () => {
      const customer = await newCustomer('txt-owner');
      const domain = `${uniq()}-txtproof.test`;
      const created = await addDomain(customer, domain);
      expect(created.status).toBe(201);
      await publishAtRegistry(stack, `_hostplane-challenge.${domain}`, 'TXT', ['some-other-value']);
      expect((await checkNow(customer, domain)).state).toBe('Failed');
      await publishAtRegistry(stack, `_hostplane-challenge.${domain}`, 'TXT', [
        created.body.verification.token,
      ]);
      const v = await checkUntil(customer, domain, 'Verified');
      expect(v, v.message).toMatchObject({ state: 'Verified', method: 'txt' });
      await waitFor('virtual_domains row', async () => (await mailDomainRows(domain)) === 1, 90_000);
      // The proof goes away: a miss or two are tolerated, then the domain is revoked and its mail
      // domain row removed on the customer's next pass.
      await withdrawFromRegistry(stack, `_hostplane-challenge.${domain}`, 'TXT');
      const tolerated = await checkUntil(customer, domain, 'Verified', /still verified/);
      expect(tolerated.method).toBe('txt');
      const revoked = await checkUntil(customer, domain, 'Failed');
      expect(revoked.message).toMatch(/does not hold the token/);
      await waitFor('virtual_domains row removed', async () => (await mailDomainRows(domain)) === 0, 90_000);
    },
    SLOW,
  );
});

describe("site hosts bound to the customer's own domains", () => {
  let customer: number;
  let tag = '';
  const own = () => `${tag}-sites.test`;
  const verified = () => `${tag}-sitesok.test`;

  beforeAll(async () => {
    tag = uniq();
    customer = await newCustomer('sites');
    expect((await addDomain(customer, own(), { mail: false })).status).toBe(201);
    expect((await addDomain(customer, verified(), { mail: false })).status).toBe(201);
    await markVerified(panel, customer, verified());
  }, SLOW);

  const site = (name: string, domains: string[], www = false) =>
    panel.http('POST', `/customers/${customer}/sites`, {
      name,
      template: 'static',
      domains,
      www,
      replicas: 0,
    });

  it(
    'accepts own hosts and a wildcard under a verified domain; routes only verified hosts, and follows verification',
    async () => {
      const created = await site('web', [own(), `www.${verified()}`, `*.${verified()}`]);
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const hostsRouted = async () => {
        const list = await panel.admin.list(KINDS.Ingress, `cust-${customer}`, 'hostplane.io/site=web');
        // A host that resolves to the platform is in two Ingresses (TLS and the redirect): one set.
        const hosts = list.flatMap((i) =>
          ((i.spec as { rules?: { host: string }[] }).rules ?? []).map((r) => r.host),
        );
        return [...new Set(hosts)].sort();
      };
      await waitFor(
        'ingress of the verified hosts',
        async () => {
          const hosts = await hostsRouted();
          return hosts.length === 2 ? hosts : undefined;
        },
        SLOW,
      );
      expect(await hostsRouted()).toEqual([`*.${verified()}`, `www.${verified()}`]);
      await delegateDomain(stack, own());
      expect((await checkUntil(customer, own(), 'Verified')).method).toBe('ns');
      await waitFor(
        'the newly verified host routed',
        async () => (await hostsRouted()).includes(own()),
        SLOW,
      );
      // Deleting a domain takes its hosts off the edge.
      expect((await panel.http('DELETE', `/customers/${customer}/domains/${verified()}`)).status).toBe(204);
      await waitFor(
        'hosts of the deleted domain unrouted',
        async () => {
          const hosts = await hostsRouted();
          return hosts.length === 1 && hosts[0] === own();
        },
        SLOW,
      );
      await withdrawFromRegistry(stack, own(), 'NS');
    },
    SLOW * 2,
  );
});
