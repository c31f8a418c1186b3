import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { CustomerSnapshot } from '@hostplane/domain';
import { rotateDkim, sealSecret } from '@hostplane/domain';
import { rspamdFilesOfStack } from '@hostplane/localstack/mail-adapters';
import { customerSnapshot, mailDomain } from '@hostplane/testing/snapshots';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dkimSecretName, KubeDkimSecrets, MAIL_NAMESPACE } from './client/kube-secrets-client.ts';
import { MysqlMailDatabase } from './client/mysql-client.ts';
import { isRetryable } from './errors.ts';
import { migrateMailDb } from './schema/index.ts';
import { createMailTarget } from './target.ts';
import {
  coreApi,
  dkimKey,
  dnsTarget,
  ensureMailNamespace,
  env,
  passContext,
  runTag,
  stackDeps,
  stateDir,
  testCustomerId,
} from './test-support/stack.ts';

// Idempotence, drift, ownership, rotation and deletion of the Mail target, read back through MySQL,
// the Kubernetes API and the Rspamd files.

const deps = stackDeps();
const target = createMailTarget(deps);
const api = coreApi();
const files = rspamdFilesOfStack(stateDir);
const domain = `${runTag}-t.example`;
const foreign = `${runTag}-foreign.example`;
const claimed = `${runTag}-claimed.example`;
let db: mysql.Connection;
let snapshot: CustomerSnapshot;

const run = (s: CustomerSnapshot) => target.run(s, passContext());
const rows = async (sql: string, params: unknown[]) =>
  (await db.query<mysql.RowDataPacket[]>(sql, params))[0];
const secret = (name: string) =>
  api.readNamespacedSecret({ name, namespace: MAIL_NAMESPACE }).catch((err: { code?: number }) => {
    if (err.code === 404) return null;
    throw err;
  });
const decoded = (value: string | undefined) => Buffer.from(value ?? '', 'base64').toString('utf8');
const selectorLine = () =>
  readFileSync(files.selectorMap, 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${domain} `));

beforeAll(async () => {
  await migrateMailDb(env.MAIL_DATABASE_URL);
  await ensureMailNamespace(api);
  db = await mysql.createConnection(env.MAIL_DATABASE_URL);
  // Rows the panel did not write (customer_id NULL): a foreign domain, and one the customer claims.
  for (const name of [foreign, claimed]) {
    const [r] = await db.execute<mysql.ResultSetHeader>('INSERT INTO virtual_domains (name) VALUES (?)', [
      name,
    ]);
    await db.execute('INSERT INTO virtual_users (domain_id, email, password, maildir) VALUES (?, ?, ?, ?)', [
      r.insertId,
      `keep@${name}`,
      '{PLAIN}x',
      `${name}/keep/`,
    ]);
  }
  snapshot = customerSnapshot({
    id: testCustomerId(2),
    domains: [
      mailDomain(domain, {
        dkim: { ...dkimKey('hp202611'), previousSelector: null, previousPublicKey: null },
      }),
    ],
    mailboxes: [
      {
        id: 1,
        address: `ann@${domain}`,
        passwordHash: '{ARGON2ID}$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA',
        quotaBytes: 1024,
        enabled: true,
        sendLimitPerHour: 30,
      },
    ],
    aliases: [{ source: `info@${domain}`, destinations: [`ann@${domain}`, 'ext@example.org'] }],
  });
});

afterAll(async () => {
  await run({ ...snapshot, deleting: true });
  await db?.execute('DELETE FROM virtual_domains WHERE name IN (?, ?)', [foreign, claimed]);
  await db?.end();
  await deps.db.close();
});

describe('Mail target on the local stack', () => {
  it('writes rows, the DKIM Secret and its Rspamd projection; a second pass writes nothing', async () => {
    expect(await run(snapshot)).toMatchObject({ status: 'True', reason: 'Ready' });
    expect(await rows('SELECT customer_id FROM virtual_domains WHERE name = ?', [domain])).toEqual([
      { customer_id: snapshot.id },
    ]);
    expect(
      await rows('SELECT email, maildir, send_limit_per_hour FROM virtual_users WHERE email = ?', [
        `ann@${domain}`,
      ]),
    ).toEqual([{ email: `ann@${domain}`, maildir: `${domain}/ann@1/`, send_limit_per_hour: 30 }]);
    expect(
      (
        await rows('SELECT destination FROM virtual_aliases WHERE source = ? ORDER BY destination', [
          `info@${domain}`,
        ])
      ).map((r) => r.destination),
    ).toEqual([`ann@${domain}`, 'ext@example.org']);
    const s = await secret(dkimSecretName(domain));
    expect(s?.metadata?.labels).toMatchObject({
      'app.kubernetes.io/managed-by': 'hostplane',
      'hostplane.io/dkim-domain': domain,
    });
    expect(s?.metadata?.managedFields?.map((f) => f.manager)).toEqual(['hostplane']);
    expect(decoded(s?.data?.selector)).toBe('hp202611');
    expect(decoded(s?.data?.['private.key'])).toBe(snapshot.domains[0]?.dkim?.privateKeyPem);
    expect(selectorLine()).toBe(`${domain} hp202611`);
    expect(readFileSync(path.join(files.keysDir, `${domain}.hp202611.key`), 'utf8')).toContain('PRIVATE KEY');

    const before = { sql: deps.db.stats.writes, kube: deps.dkimSecrets.stats.writes };
    expect(await run(snapshot)).toMatchObject({ status: 'True', reason: 'Ready', changes: 0 });
    expect({ sql: deps.db.stats.writes, kube: deps.dkimSecrets.stats.writes }).toEqual(before);
  });

  it('repairs drift made by hand: a changed row and a deleted Secret', async () => {
    await db.execute('UPDATE virtual_users SET password = ?, enabled = 0 WHERE email = ?', [
      '{PLAIN}hacked',
      `ann@${domain}`,
    ]);
    await api.deleteNamespacedSecret({ name: dkimSecretName(domain), namespace: MAIL_NAMESPACE });
    expect(await run(snapshot)).toMatchObject({ status: 'True', changes: 2 });
    expect(
      await rows('SELECT password, enabled FROM virtual_users WHERE email = ?', [`ann@${domain}`]),
    ).toEqual([{ password: snapshot.mailboxes[0]?.passwordHash, enabled: 1 }]);
    expect(await secret(dkimSecretName(domain))).not.toBeNull();
  });

  it("never touches a domain it does not own, also one the customer's snapshot names", async () => {
    const claiming = {
      ...snapshot,
      domains: [...snapshot.domains, mailDomain(claimed)],
      mailboxes: [...snapshot.mailboxes, { ...snapshot.mailboxes[0]!, address: `x@${claimed}` }],
    };
    expect(await run(claiming)).toMatchObject({ status: 'False', reason: 'DomainNotOwned', changes: 0 });
    const kept = await rows(
      'SELECT d.name, d.customer_id, u.email FROM virtual_domains d JOIN virtual_users u ON u.domain_id = d.id WHERE d.name IN (?, ?) ORDER BY d.name',
      [claimed, foreign],
    );
    expect(kept).toEqual([
      { name: claimed, customer_id: null, email: `keep@${claimed}` },
      { name: foreign, customer_id: null, email: `keep@${foreign}` },
    ]);
  });

  it('rotates DKIM: the new selector signs only once DNS serves it, the old one stays published', async () => {
    const dns = dnsTarget();
    const current = snapshot.domains[0]?.dkim;
    if (!current) throw new Error('fixture has a key');
    expect(await dns.run(snapshot, passContext())).toMatchObject({ status: 'True' });
    const rotated = rotateDkim(current, dkimKey('unused'), new Date('2026-11-26T00:00:00Z'));
    const next = { ...snapshot, domains: [{ ...snapshot.domains[0]!, dkim: rotated }] };
    expect(await run(next)).toMatchObject({ status: 'False', reason: 'AwaitingDNS', requeue: true });
    expect(decoded((await secret(dkimSecretName(domain)))?.data?.selector)).toBe('hp202611');
    expect(await dns.run(next, passContext())).toMatchObject({ status: 'True' });
    expect(await run(next)).toMatchObject({ status: 'True', reason: 'Ready' });
    expect(decoded((await secret(dkimSecretName(domain)))?.data?.selector)).toBe('hp202611b');
    expect(selectorLine()).toBe(`${domain} hp202611b`);
    snapshot = next;
    await dns.run({ ...snapshot, deleting: true }, passContext());
  });

  it('fails with a retryable error while the mail database is down', async () => {
    const down = createMailTarget({
      ...deps,
      db: new MysqlMailDatabase({ url: 'mysql://mail:x@127.0.0.1:1/mail' }),
    });
    const failed = await down.run(snapshot, passContext()).catch((err: unknown) => err);
    expect(isRetryable(failed)).toBe(true);
    expect(failed).toMatchObject({ reason: 'MailDatabaseUnavailable' });
  });

  it('still applies the rows when the DKIM key store fails, and says so', async () => {
    const broken = createMailTarget({ ...deps, dkimSecrets: new KubeDkimSecrets(api, `${runTag}-missing`) });
    const extra = { ...snapshot.mailboxes[0]!, address: `late@${domain}` };
    const outcome = await broken.run(
      { ...snapshot, mailboxes: [...snapshot.mailboxes, extra] },
      passContext(),
    );
    expect(outcome).toMatchObject({ status: 'False', reason: 'DkimKeysFailed' });
    expect(await rows('SELECT email FROM virtual_users WHERE email = ?', [`late@${domain}`])).toHaveLength(1);
    expect(await run(snapshot)).toMatchObject({ status: 'True', reason: 'Ready' });
  });

  it("removes a deleting customer's rows, Secrets and key files, then reports Deleted with no changes", async () => {
    expect(await run({ ...snapshot, deleting: true })).toMatchObject({ status: 'True', reason: 'Deleted' });
    expect(await rows('SELECT id FROM virtual_domains WHERE customer_id = ?', [snapshot.id])).toEqual([]);
    expect(await rows('SELECT id FROM virtual_users WHERE email LIKE ?', [`%@${domain}`])).toEqual([]);
    expect(await secret(dkimSecretName(domain))).toBeNull();
    expect(selectorLine()).toBeUndefined();
    expect(await run({ ...snapshot, deleting: true })).toMatchObject({
      status: 'True',
      reason: 'Deleted',
      changes: 0,
    });
    expect(
      (await rows('SELECT name FROM virtual_domains WHERE name IN (?, ?)', [foreign, claimed])).length,
    ).toBe(2);
  });
});

describe('DKIM key Secrets of look-alike domains', () => {
  // Both were `dkim-<tag>-b-c-example` while dots simply became dashes.
  const dotted = `${runTag}.b-c.example`;
  const dashed = `${runTag}-b.c.example`;
  const legacy = `${runTag}-legacy.example`;
  const owner = (offset: number, name: string) =>
    customerSnapshot({
      id: testCustomerId(offset),
      domains: [
        mailDomain(name, {
          dkim: { ...dkimKey('hp202611'), previousSelector: null, previousPublicKey: null },
        }),
      ],
    });
  const first = owner(0, dotted);
  const second = owner(1, dashed);
  const third = owner(3, legacy);

  afterAll(async () => {
    for (const s of [first, second, third]) await run({ ...s, deleting: true });
  });

  it('gives each domain a Secret of its own, holding its own key', async () => {
    expect(dkimSecretName(dotted)).not.toBe(dkimSecretName(dashed));
    for (const s of [first, second]) expect(await run(s)).toMatchObject({ status: 'True' });
    for (const s of [first, second]) {
      const name = s.domains[0]!.name;
      const stored = await secret(dkimSecretName(name));
      expect(stored?.metadata?.labels?.['hostplane.io/customer-id'], name).toBe(String(s.id));
      expect(decoded(stored?.data?.['private.key']), name).toBe(s.domains[0]!.dkim!.privateKeyPem);
    }
  });

  it('moves a Secret stored under the old name to the new one and prunes the old', async () => {
    const oldName = `dkim-${legacy.replaceAll('.', '-')}`;
    const key = third.domains[0]!.dkim!;
    await api.createNamespacedSecret({
      namespace: MAIL_NAMESPACE,
      body: {
        metadata: {
          name: oldName,
          labels: {
            'app.kubernetes.io/managed-by': 'hostplane',
            'hostplane.io/dkim-domain': legacy,
            'hostplane.io/customer-id': String(third.id),
          },
        },
        data: {
          selector: Buffer.from(key.selector).toString('base64'),
          'private.key': Buffer.from(key.privateKeyPem).toString('base64'),
        },
      },
    });
    expect(await run(third)).toMatchObject({ status: 'True' });
    expect(await secret(oldName)).toBeNull();
    expect(decoded((await secret(dkimSecretName(legacy)))?.data?.['private.key'])).toBe(key.privateKeyPem);
    expect(await run(third)).toMatchObject({ status: 'True', changes: 0 });
  });
});

describe('DKIM private keys sealed at rest', () => {
  const name = `${runTag}-sealed.example`;
  const secretKey = 'mail-target-secret-key-0123';
  const key = { ...dkimKey('hp202611'), previousSelector: null, previousPublicKey: null };
  const sealed = customerSnapshot({
    id: testCustomerId(3),
    domains: [
      mailDomain(name, { dkim: { ...key, privateKeyPem: sealSecret(key.privateKeyPem, secretKey) } }),
    ],
  });

  afterAll(async () => {
    await run({ ...sealed, deleting: true });
  });

  it('opens the key with the SECRET_KEY: the Secret and the Rspamd key file hold the PEM', async () => {
    const keyed = createMailTarget({ ...deps, secretKey });
    expect(await keyed.run(sealed, passContext())).toMatchObject({ status: 'True', reason: 'Ready' });
    expect(decoded((await secret(dkimSecretName(name)))?.data?.['private.key'])).toBe(key.privateKeyPem);
    expect(readFileSync(path.join(files.keysDir, `${name}.hp202611.key`), 'utf8')).toBe(key.privateKeyPem);
  });

  it('writes nothing without the key, and says why', async () => {
    const before = { sql: deps.db.stats.writes, kube: deps.dkimSecrets.stats.writes };
    expect(await run(sealed)).toMatchObject({ status: 'False', reason: 'DkimKeySealed', changes: 0 });
    expect({ sql: deps.db.stats.writes, kube: deps.dkimSecrets.stats.writes }).toEqual(before);
  });
});
