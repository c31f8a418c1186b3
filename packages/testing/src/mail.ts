// `@hostplane/testing/mail`: the mail clients of the tests (SMTP in, IMAP out, on the local stack's
// ports) and one fixture for a customer with a verified mail domain and mailboxes, created through
// the API and reconciled by the Mail target. The tests under tests/ and packages/provisioner-mail
// share these instead of each file building its own.
import { randomBytes } from 'node:crypto';
import { loadCustomerSnapshot, type PanelDatabase } from '@hostplane/db';
import type { CustomerSnapshot } from '@hostplane/domain';
import { loadStackEnv } from '@hostplane/localstack/stack-env';
import { ImapFlow } from 'imapflow';
import { type Kysely, sql } from 'kysely';
import nodemailer from 'nodemailer';
import { waitFor } from './poll.ts';

// The stack's certificate is self-signed; these tests are about routing and auth, not PKI.
export const tls = { rejectUnauthorized: false };

export function hostPort(value: string): { host: string; port: number } {
  const at = value.lastIndexOf(':');
  return { host: value.slice(0, at), port: Number(value.slice(at + 1)) };
}

export const newPassword = () => `pw-${randomBytes(9).toString('base64url')}`;

/** The stack's public SMTP port, as an outside sender reaches it (no auth, no TLS). */
export function smtpTransport() {
  const { host, port } = hostPort(loadStackEnv().SMTP_ADDR);
  return nodemailer.createTransport({ host, port, secure: false, ignoreTLS: true });
}

/** The stack's submission port, as a mailbox's owner sends. */
export function submissionTransport(user: string, pass: string) {
  const { host, port } = hostPort(loadStackEnv().SUBMISSION_ADDR);
  return nodemailer.createTransport({ host, port, secure: false, auth: { user, pass }, tls });
}

export function imapClient(user: string, pass: string): ImapFlow {
  const { host, port } = hostPort(loadStackEnv().IMAP_ADDR);
  return new ImapFlow({ host, port, secure: false, auth: { user, pass }, tls, logger: false });
}

/** Polls INBOX until a message with `subject` is there; its full source. */
export function waitForMessage(user: string, pass: string, subject: string, timeoutMs = 30_000) {
  return waitFor(
    `a message "${subject}" in ${user}'s INBOX`,
    async () => {
      const client = imapClient(user, pass);
      await client.connect();
      try {
        await client.mailboxOpen('INBOX');
        const uids = await client.search({ subject }, { uid: true });
        const uid = Array.isArray(uids) ? uids[0] : undefined;
        if (uid === undefined) return undefined;
        const message = await client.fetchOne(String(uid), { source: true }, { uid: true });
        return message && message.source !== undefined ? message.source.toString('utf8') : undefined;
      } finally {
        await client.logout();
      }
    },
    { timeoutMs, intervalMs: 300 },
  );
}

// --- a mail customer through the API ---

export interface InjectResponse {
  statusCode: number;
  body: string;
  json(): unknown;
}

/** What the fixture uses of the API test harness (apps/api/src/testing/harness.ts `TestApi`). */
export interface PanelUnderTest<R extends InjectResponse = InjectResponse> {
  app: {
    inject(request: {
      method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
      url: string;
      headers: Record<string, string>;
      payload?: object;
    }): Promise<R>;
  };
  db: Kysely<PanelDatabase>;
  adminToken: string;
}

export interface MailCustomerSpec<R extends InjectResponse> {
  api: PanelUnderTest<R>;
  /** The panel's customer ids start here, far from other suites' on the shared stack. */
  firstId: number;
  /** Creates the customer once the ids moved (the harness's createPlan + createCustomer). */
  createCustomer: () => Promise<{ id: number; token: string }>;
  /** A mail domain of the customer, verified by an admin (ownership is not these tests' subject). */
  domain: string;
  mailboxes: { address: string; password: string; quota: string }[];
  /** One pass of the Mail target (the caller's adapters and pass context); status True expected. */
  runMailTarget: (snapshot: CustomerSnapshot) => Promise<{ status: string }>;
  /** Whose token `call` sends: the customer's (default) or the admin's. */
  as?: 'customer' | 'admin';
  /** False: the caller changes more first and runs the first pass itself (default: one pass here). */
  reconcile?: boolean;
}

export interface MailCustomer<R extends InjectResponse = InjectResponse> {
  id: number;
  token: string;
  call(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, payload?: object): Promise<R>;
  snapshot(): Promise<CustomerSnapshot>;
  /** One Mail target pass over the customer as the panel has it now. */
  reconcile(): Promise<void>;
  /** A deleting pass: the customer's mail rows, keys and maildirs go. */
  cleanup(): Promise<void>;
}

/** The customer, its verified mail domain and mailboxes, created through the API and (by default) reconciled. */
export async function setUpMailCustomer<R extends InjectResponse>(
  spec: MailCustomerSpec<R>,
): Promise<MailCustomer<R>> {
  const { api } = spec;
  await sql`alter table customers alter column id restart with ${sql.lit(spec.firstId)}`.execute(api.db);
  const customer = await spec.createCustomer();
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const call: MailCustomer<R>['call'] = (method, path, payload) =>
    api.app.inject({
      method,
      url: `/api/v1/customers/${customer.id}/${path}`,
      headers: bearer(spec.as === 'admin' ? api.adminToken : customer.token),
      ...(payload ? { payload } : {}),
    });
  const expectStatus = async (what: string, res: Promise<R>, status: number) => {
    const answer = await res;
    if (answer.statusCode !== status)
      throw new Error(`${what}: expected ${status}, got ${answer.statusCode}: ${answer.body}`);
  };
  const snapshot = async () => {
    const s = await loadCustomerSnapshot(api.db, customer.id);
    if (!s) throw new Error(`customer ${customer.id} vanished`);
    return s;
  };
  const reconcile = async () => {
    const outcome = await spec.runMailTarget(await snapshot());
    if (outcome.status !== 'True') throw new Error(`Mail target: ${JSON.stringify(outcome)}`);
  };
  await expectStatus('mail domain', call('POST', 'domains', { name: spec.domain, mail: true }), 201);
  await expectStatus(
    'admin verification',
    api.app.inject({
      method: 'POST',
      url: `/api/v1/customers/${customer.id}/domains/${spec.domain}/verify`,
      headers: bearer(api.adminToken),
      payload: { method: 'admin' },
    }),
    200,
  );
  for (const mailbox of spec.mailboxes)
    await expectStatus(`mailbox ${mailbox.address}`, call('POST', 'mailboxes', mailbox), 201);
  if (spec.reconcile !== false) await reconcile();
  return {
    ...customer,
    call,
    snapshot,
    reconcile,
    async cleanup() {
      const s = await loadCustomerSnapshot(api.db, customer.id);
      if (s) await spec.runMailTarget({ ...s, deleting: true });
    },
  };
}
