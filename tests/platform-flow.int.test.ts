// The whole platform through the API, as a hosting customer would use it: the panel (buildApp +
// startWorker with the targets `hostplane serve` assembles) drives the local stack's real
// apiserver + kwok node, PowerDNS, and Postfix/Dovecot. Everything is read back through the real
// interfaces: the Kubernetes API, DNS queries, SMTP in and IMAP out.

import { KINDS } from '@hostplane/provisioner-k8s';
import { answerTexts, delegateDomain, queryDns, waitFor, withdrawFromRegistry } from '@hostplane/testing';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smtpTransport, waitForMessage } from '../packages/provisioner-mail/src/test-support/stack.ts';
import {
  checkDomainUntil,
  createPlan,
  NAMESPACE_GONE_MS,
  newPassword,
  type Panel,
  runTag,
  stack,
  startPanel,
} from './support/panel.ts';

const FIRST_ID = 600_000 + (process.pid % 20_000) * 10;
const domain = `${runTag}-shop.test`;
const mailbox = `info@${domain}`;
const mailboxPassword = newPassword();

let panel: Panel;
let customerId: number;
let planId: number;
const ns = () => `cust-${customerId}`;

interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
  observedGeneration: number | null;
}

async function customer(): Promise<{
  generation: number;
  status: { ready: boolean; conditions: Condition[] };
}> {
  const res = await panel.http('GET', `/customers/${customerId}`);
  if (res.status !== 200) throw new Error(`GET customer: ${res.status}`);
  return res.body;
}

/** Waits until the named conditions are True at the customer's current generation. */
async function convergedOn(types: string[], timeoutMs = 240_000) {
  return waitFor(
    `conditions ${types.join(', ')} True`,
    async () => {
      const c = await customer();
      const ok = types.every((t) =>
        c.status.conditions.some(
          (x) => x.type === t && x.status === 'True' && x.observedGeneration === c.generation,
        ),
      );
      if (!ok)
        throw new Error(
          JSON.stringify(c.status.conditions.map((x) => [x.type, x.status, x.reason, x.message])),
        );
      return c;
    },
    timeoutMs,
  );
}

async function siteDeployment() {
  const list = await panel.admin.list(KINDS.Deployment, ns(), 'hostplane.io/site=shop');
  return list[0];
}

beforeAll(async () => {
  panel = await startPanel(FIRST_ID);
  await panel.startWorker();
});
afterAll(async () => {
  await withdrawFromRegistry(stack, domain, 'NS').catch(() => undefined);
  await panel?.close();
});

// Generous: the apiserver and kwok are shared with other suites and benchmarks on two cores.
const SLOW = 300_000;

describe('a customer from sign-up to deletion, through the API only', () => {
  it(
    'plan + customer + site + domain with DNS and mail → namespace, Ready pods, conditions True',
    async () => {
      const plan = await createPlan(panel, 'e2e', { mailboxes: 2 });
      planId = plan.id;
      const created = await panel.http('POST', '/customers', {
        name: 'Shop Ltd',
        email: `owner@${domain}`,
        planId,
        password: newPassword(),
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      customerId = created.body.id;
      expect(created.body.namespace).toBe(`cust-${customerId}`);
      const d = await panel.http('POST', `/customers/${customerId}/domains`, {
        name: domain,
        dns: true,
        mail: true,
      });
      expect(d.status, JSON.stringify(d.body)).toBe(201);
      // As a registrar would: the domain is delegated to the platform's name servers in the TLD
      // registry, and the panel sees that through the recursive resolver.
      await delegateDomain(stack, domain);
      const verified = await checkDomainUntil(panel, customerId, domain, 'Verified');
      expect(verified.method).toBe('ns');
      const s = await panel.http('POST', `/customers/${customerId}/sites`, {
        name: 'shop',
        template: 'static',
        domains: [domain],
        www: true,
      });
      expect(s.status, JSON.stringify(s.body)).toBe(201);

      await convergedOn(['Kubernetes', 'DNS', 'Mail']);
      const namespace = await panel.admin.get(KINDS.Namespace, null, ns());
      expect(namespace?.metadata.labels).toMatchObject({
        tenant: 'true',
        'customer-id': String(customerId),
        'app.kubernetes.io/managed-by': 'hostplane',
      });
      const deployment = await siteDeployment();
      expect(deployment?.metadata.labels).toMatchObject({ tenant: 'true', 'hostplane.io/site': 'shop' });
      const pods = await panel.admin.list(KINDS.Pod, ns(), 'hostplane.io/site=shop');
      expect(pods.length).toBeGreaterThan(0);
      for (const pod of pods) {
        const conditions = (pod as { status?: { conditions?: { type: string; status: string }[] } }).status
          ?.conditions;
        expect(conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
      }
      const site = await waitFor(
        'site status Ready',
        async () => {
          const res = await panel.http('GET', `/customers/${customerId}/sites/shop`);
          return res.body.status?.state === 'Ready' ? res.body : undefined;
        },
        90_000,
      );
      expect(site.status.replicas).toEqual({ desired: 1, ready: 1 });
    },
    SLOW,
  );

  it(
    'answers A and MX for the domain over DNS (UDP and TCP)',
    async () => {
      expect(await answerTexts(stack.PDNS_DNS_ADDR, domain, 'A')).toEqual(['127.0.0.1']);
      expect(await answerTexts(stack.PDNS_DNS_ADDR, `www.${domain}`, 'A', { tcp: true })).toEqual([
        '127.0.0.1',
      ]);
      const mx = await queryDns(stack.PDNS_DNS_ADDR, domain, 'MX');
      expect(mx.authoritative).toBe(true);
      expect(
        mx.answers
          .filter((a) => a.type === 'MX')
          .map((a) => a.text)
          .join(),
      ).toContain('mail.hostplane.test');
    },
    SLOW,
  );

  it(
    'delivers SMTP mail to a mailbox created through the API, readable over IMAP',
    async () => {
      const res = await panel.http('POST', `/customers/${customerId}/mailboxes`, {
        address: mailbox,
        password: mailboxPassword,
        quota: '100Mi',
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      await convergedOn(['Mail']);
      const subject = `hello ${runTag}`;
      await smtpTransport().sendMail({
        from: 'someone@example.org',
        to: mailbox,
        subject,
        text: 'mail through the whole platform',
      });
      const source = await waitForMessage(mailbox, mailboxPassword, subject, 60_000);
      expect(source).toContain('mail through the whole platform');
    },
    SLOW,
  );

  it(
    'signs the zone on request: DS records appear in GET …/domains/{name}, RRSIGs over DNS',
    async () => {
      const patched = await panel.http('PATCH', `/customers/${customerId}/domains/${domain}`, {
        dnssec: true,
      });
      expect(patched.status, JSON.stringify(patched.body)).toBe(200);
      await convergedOn(['DNS']);
      const shown = await waitFor(
        'DS records in the domain answer',
        async () => {
          const res = await panel.http('GET', `/customers/${customerId}/domains/${domain}`);
          return res.body.ds.length > 0 ? res.body : undefined;
        },
        90_000,
      );
      expect(shown.ds as string[]).toEqual(
        expect.arrayContaining([expect.stringMatching(/^\d+ \d+ 2 [0-9a-f]{64}$/)]),
      );
      const signed = await queryDns(stack.PDNS_DNS_ADDR, domain, 'A', { dnssec: true });
      expect(signed.answers.map((a) => a.type)).toContain('RRSIG');
    },
    SLOW,
  );

  it(
    'suspends: the site scales to 0, and back on unsuspend',
    async () => {
      expect((await panel.http('PATCH', `/customers/${customerId}`, { suspended: true })).status).toBe(200);
      await convergedOn(['Kubernetes']);
      expect((await siteDeployment())?.spec).toMatchObject({ replicas: 0 });
      expect((await panel.http('PATCH', `/customers/${customerId}`, { suspended: false })).status).toBe(200);
      await convergedOn(['Kubernetes']);
      expect((await siteDeployment())?.spec).toMatchObject({ replicas: 1 });
    },
    SLOW,
  );

  it(
    'deletes: 202, then 404, and the namespace, the zone and the mail rows are gone',
    async () => {
      const res = await panel.http('DELETE', `/customers/${customerId}`);
      expect(res.status).toBe(202);
      await waitFor(
        'GET customer 404',
        async () => (await panel.http('GET', `/customers/${customerId}`)).status === 404,
        NAMESPACE_GONE_MS,
      );
      expect(await panel.admin.get(KINDS.Namespace, null, ns())).toBeNull();
      const zone = await fetch(`${stack.PDNS_API_URL}/api/v1/servers/localhost/zones/${domain}.`, {
        headers: { 'x-api-key': stack.PDNS_API_KEY },
      });
      expect(zone.status).toBe(404);
      expect((await queryDns(stack.PDNS_DNS_ADDR, domain, 'A')).answers).toEqual([]);
      const mail = await mysql.createConnection(stack.MAIL_DATABASE_URL);
      try {
        const [domains] = await mail.query('select name from virtual_domains where name = ?', [domain]);
        const [users] = await mail.query('select email from virtual_users where email = ?', [mailbox]);
        expect(domains).toEqual([]);
        expect(users).toEqual([]);
      } finally {
        await mail.end();
      }
    },
    NAMESPACE_GONE_MS + 60_000,
  );
});
