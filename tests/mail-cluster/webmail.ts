// Webmail and spam learning in the cluster on the real node (issue 17), registered by
// tests/mail-cluster.node.test.ts on its one install: the mail-system step `hostplane bootstrap`
// renders, webmail included (image built by `hostplane images build --only webmail`: Roundcube from
// Debian bookworm, php-fpm and nginx as www-data), applied and waited for as `bootstrap --apply` does.
// - The mail schema comes from the mail-schema Job (the panel's migrator, from the panel's image)
//   before Postfix and Dovecot start: they wait for its tables in an init container (issue 14).
// - The webmail pod becomes Ready; its login page answers through the webmail Service.
// - A mailbox logs in over HTTP as a browser does (Roundcube's login POST with its CSRF token and
//   session cookie) and its message list shows a message delivered through the in-cluster Postfix;
//   a wrong password is refused. Roundcube reaches the in-cluster Dovecot (IMAP, STARTTLS, the mail
//   host's certificate checked against the install's ACME roots).
// - Moving a message into Junk over IMAP in the in-cluster Dovecot makes the in-cluster Rspamd learn
//   it as spam (IMAPSieve pipes it to rspamd-learn, which posts it to the controller): the
//   controller's own count (/stat) grows by one and its log names the message.
import { randomBytes } from 'node:crypto';
import { rspamdControllerPassword } from '@hostplane/platform';
import { KINDS } from '@hostplane/provisioner-k8s';
import type { MysqlMailDatabase } from '@hostplane/provisioner-mail';
import { waitFor } from '@hostplane/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  clusterIp,
  imapCurl,
  imapMessage,
  type MailCluster,
  newMailbox,
  type Obj,
  provisionMailDomain,
  swaks,
} from '../support/mail-cluster.ts';

const SLOW = 900_000;
const tag = randomBytes(3).toString('hex');
const domain = `wm-${tag}.test`;
const ann = newMailbox('ann', domain);
const bob = newMailbox('bob', domain);
const figures: Record<string, number> = {};

let cluster: MailCluster;
let db: MysqlMailDatabase | undefined;

/**
 * Submits a message from bob to ann through the in-cluster Postfix (submission, STARTTLS, SASL).
 * Until the kubelet has refreshed Rspamd's copy of the rspamd-maps ConfigMap the Mail target wrote
 * (its identities), Rspamd refuses the sender ("this mailbox may not send", nothing is queued): poll.
 */
async function submit(subject: string, body: string, messageId: string): Promise<void> {
  const args = [
    ...['--from', bob.address, '--to', ann.address],
    ...['--header', `Subject: ${subject}`, '--header', `From: <${bob.address}>`],
    ...['--header', `Message-Id: <${messageId}>`, '--body', body],
    ...['--tls', '--auth', 'PLAIN', '--auth-user', bob.address, '--auth-password', bob.password],
  ];
  await waitFor(
    `the in-cluster Postfix to queue "${subject}" from ${bob.address}`,
    async () => {
      try {
        return /<~\s+250 2\.0\.0 Ok: queued/.test(await swaks(cluster, 587, args));
      } catch (error) {
        if (String(error).includes('554 5.7.1 this mailbox may not send')) return false;
        throw error;
      }
    },
    { timeoutMs: 180_000, intervalMs: 5_000 },
  );
}

/** A cookie jar of one HTTP client session (name → value), fed by Set-Cookie headers. */
class Session {
  private readonly cookies = new Map<string, string>();
  constructor(private readonly base: string) {}

  async request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0)
      headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await fetch(`${this.base}${path}`, {
      ...init,
      headers,
      redirect: 'manual',
      signal: AbortSignal.timeout(30_000),
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair!.indexOf('=');
      const name = pair!.slice(0, at).trim();
      const value = pair!.slice(at + 1).trim();
      if (value === '' || value === 'deleted') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }
}

/** Roundcube's login as its form posts it: the page's CSRF token (`_token`) with its session cookie. */
async function logIn(session: Session, user: string, password: string): Promise<Response> {
  const page = await session.request('/');
  expect(page.status).toBe(200);
  const html = await page.text();
  const token = /name="_token" value="([^"]+)"/.exec(html)?.[1];
  expect(token, 'the login form carries a request token').toBeTruthy();
  return session.request('/?_task=login', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      _token: token!,
      _task: 'login',
      _action: 'login',
      _timezone: 'UTC',
      _url: '',
      _user: user,
      _pass: password,
    }).toString(),
  });
}

export function webmailSuite(installed: () => MailCluster): void {
  describe('webmail and spam learning (webmail-cluster)', () => {
    beforeAll(async () => {
      cluster = installed();
      ({ db } = await provisionMailDomain(
        cluster,
        domain,
        `hp${tag}`,
        [ann, bob],
        920_000 + (process.pid % 10_000),
      ));
    }, SLOW);

    afterAll(async () => {
      process.stdout.write(`webmail-cluster figures: ${JSON.stringify(figures)}\n`);
      await db?.close();
    }, SLOW);

    describe('the mail schema in mail-system on the real node (issue 14)', () => {
      it("is migrated by the mail-schema Job from the panel's image before Postfix and Dovecot start", async () => {
        const jobs: Obj[] = await cluster.kube.list(
          KINDS.Job,
          'mail-system',
          'app.kubernetes.io/name=mail-schema',
        );
        expect(jobs).toHaveLength(1);
        expect(jobs[0].status.succeeded).toBe(1);
        expect(jobs[0].spec.template.spec.containers[0].image).toBe(
          cluster.config.bootstrap.systemImages.panel,
        );
        // Each of them waited for the tables in its init container, which ended well before the server
        // started: no 451 from Postfix's SQL maps, no failed logins from Dovecot's.
        for (const app of ['postfix', 'dovecot']) {
          const [pod]: Obj[] = await cluster.kube.list(
            KINDS.Pod,
            'mail-system',
            `app.kubernetes.io/name=${app}`,
          );
          const init = pod.status.initContainerStatuses.find((c: Obj) => c.name === 'wait-mail-schema');
          expect(init.state.terminated, app).toMatchObject({ exitCode: 0, reason: 'Completed' });
          const server = pod.status.containerStatuses.find((c: Obj) => c.name === app);
          expect(server.restartCount, app).toBe(0);
          expect(Date.parse(server.state.running.startedAt)).toBeGreaterThanOrEqual(
            Date.parse(init.state.terminated.finishedAt),
          );
        }
      });
    });

    describe('webmail (Roundcube) in mail-system on the real node', () => {
      let base = '';

      beforeAll(async () => {
        base = `http://${await clusterIp(cluster.kube, 'mail-system', 'webmail')}`;
      });

      it('runs Ready as www-data from the pinned image and answers its login page through the Service', async () => {
        const [pod]: Obj[] = await cluster.kube.list(
          KINDS.Pod,
          'mail-system',
          'app.kubernetes.io/name=webmail',
        );
        expect(pod.status.conditions.find((c: Obj) => c.type === 'Ready')?.status).toBe('True');
        expect(pod.spec.containers.map((c: Obj) => c.image)).toEqual([
          cluster.config.bootstrap.systemImages.webmail,
          cluster.config.bootstrap.systemImages.webmail,
        ]);
        expect(pod.spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 33 });
        const res = await fetch(`${base}/`, { signal: AbortSignal.timeout(30_000) });
        expect(res.status).toBe(200);
        const html = await res.text();
        expect(html).toContain('rcmloginuser');
        expect(html).toContain('Hostplane Webmail');
      });

      it('logs a mailbox in with its password and lists a message delivered through the in-cluster Postfix', async () => {
        const subject = `through postfix ${tag}`;
        await submit(subject, 'hello from the cluster', `${tag}.webmail@${domain}`);
        await imapMessage(cluster, ann, subject);

        const session = new Session(base);
        const started = Date.now();
        const login = await logIn(session, ann.address, ann.password);
        expect(login.status, await login.clone().text()).toBe(302);
        expect(login.headers.get('location')).toMatch(/_task=mail/);
        figures.webmailLoginSeconds = (Date.now() - started) / 1000;

        // The mail view, then its message list as the page's script asks for it (request token header).
        const view = await session.request('/?_task=mail&_mbox=INBOX');
        expect(view.status).toBe(200);
        const token = /"request_token":"([^"]+)"/.exec(await view.text())?.[1];
        expect(token, 'the mail view carries a request token').toBeTruthy();
        const list = await session.request('/?_task=mail&_action=list&_mbox=INBOX&_remote=1', {
          headers: { 'x-roundcube-request': token!, 'x-requested-with': 'XMLHttpRequest' },
        });
        expect(list.status).toBe(200);
        const listed = await list.text();
        expect(listed).toContain(subject);
        expect(listed).toContain(bob.address);
      }, 240_000);

      it('refuses a wrong password', async () => {
        const login = await logIn(new Session(base), ann.address, `${ann.password}-wrong`);
        expect(login.status).toBe(401);
        expect(await login.text()).toMatch(/Login failed/);
      });
    });

    describe('spam learning in mail-system on the real node', () => {
      const statSchema = z.object({ learned: z.number().int() });

      /** Rspamd's count of learned messages (controller /stat, kept by the controller as it learns), read
       * with the controller's password as Dovecot's learning program sends it. */
      async function learnedCount(): Promise<number> {
        const url = `http://${await clusterIp(cluster.kube, 'mail-system', 'rspamd')}:11334/stat`;
        const res = await fetch(url, {
          headers: { password: rspamdControllerPassword(cluster.config) },
          signal: AbortSignal.timeout(10_000),
        });
        expect(res.status).toBe(200);
        return statSchema.parse(await res.json()).learned;
      }

      it('learns a message as spam when it is moved from INBOX into Junk over IMAP', async () => {
        const subject = `learn ${tag}`;
        // Its own words: Bayes needs 11 tokens at least, and a repeated text is "already learned".
        const words = Array.from({ length: 40 }, (_, i) => `cluster${tag}word${i}`).join(' ');
        const messageId = `${tag}.learn@${domain}`;
        await submit(subject, `Hello,\n\n${words}\n\nRegards`, messageId);
        await imapMessage(cluster, ann, subject);
        const before = await learnedCount();

        const found = await imapCurl(cluster, ann, 'INBOX', ['-X', `SEARCH SUBJECT "${subject}"`]);
        const seq = /\* SEARCH (\d+)/.exec(found)?.[1];
        expect(seq).toBeTruthy();
        const started = Date.now();
        await imapCurl(cluster, ann, 'INBOX', ['-X', `MOVE ${seq} Junk`]);
        await imapMessage(cluster, ann, subject, ['Junk']);

        // Exactly one message learned: the one moved (Bayes' per-class revisions in /stat are refreshed
        // from Redis on the controller's own schedule, so the count is what this reads).
        await waitFor(`Rspamd to learn <${messageId}>`, async () => (await learnedCount()) === before + 1, {
          timeoutMs: 60_000,
          intervalMs: 1_000,
        });
        figures.learnedAfterMoveSeconds = (Date.now() - started) / 1000;
        expect(await learnedCount()).toBe(before + 1);
      }, 300_000);
    });
  });
}
