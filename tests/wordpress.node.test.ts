// Issue 11 on the real node (HOSTPLANE_STACK_NODE=real, `hostplane images build --only wordpress
// --only mariadb` done): a WordPress site created through the API on a verified domain runs with its
// MariaDB, its installer completes over HTTP through the edge (Traefik at HTTP_ADDR, by Host header),
// the front page answers with the blog's title, and readiness means what it says: with the database
// gone the pod leaves the Service's endpoints (nginx → php-fpm → MariaDB), and comes back with it.
import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { REAL_NODE_NAME } from '@hostplane/localstack';
import { KINDS } from '@hostplane/provisioner-k8s';
import { waitFor } from '@hostplane/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCustomer, type TestCustomer } from '../apps/api/src/testing/harness.ts';
import {
  createPlan,
  markVerified,
  type Panel,
  platformInput,
  runTag,
  stack,
  startPanel,
} from './support/panel.ts';

const FIRST_ID = 820_000 + (process.pid % 20_000) * 10;
const SLOW = 900_000;
const TITLE = `Hostplane blog ${runTag}`;

let panel: Panel;
let customer: TestCustomer;
const host = () => `wp-${customer.id}-${runTag}.test`;
const ns = () => `cust-${customer.id}`;

// biome-ignore lint/suspicious/noExplicitAny: Kubernetes objects and API answers read by the assertions
type Obj = any;

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A request as a browser sends it to the platform's edge: to HTTP_ADDR, the site's host in Host. */
function throughEdge(path: string, form?: Record<string, string>, timeoutMs = 60_000): Promise<Answer> {
  const [address, port] = (stack.HTTP_ADDR ?? '').split(':');
  const payload = form ? new URLSearchParams(form).toString() : undefined;
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: address,
        port: Number(port),
        path,
        method: payload ? 'POST' : 'GET',
        headers: {
          host: host(),
          ...(payload
            ? {
                'content-type': 'application/x-www-form-urlencoded',
                'content-length': Buffer.byteLength(payload),
              }
            : {}),
        },
        timeout: timeoutMs,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => {
          body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end(payload);
  });
}

/** The host pid of the blog database's mariadbd: a process whose cgroup is its pod's (cgroupfs names it pod<uid>). */
async function databasePid(): Promise<number> {
  const pods: Obj[] = await panel.admin.list(
    KINDS.Pod,
    ns(),
    'hostplane.io/site=blog,hostplane.io/component=database',
  );
  const uid: string | undefined = pods.find((p) => !p.metadata.deletionTimestamp)?.metadata.uid;
  if (!uid) throw new Error('no database pod of site blog');
  const marks = [`pod${uid}`, `pod${uid.replaceAll('-', '_')}`];
  for (const entry of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      const cgroup = readFileSync(`/proc/${entry}/cgroup`, 'utf8');
      if (!marks.some((m) => cgroup.includes(m))) continue;
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'mariadbd') return Number(entry);
    } catch {
      // the process ended while the folder was read
    }
  }
  throw new Error(`no mariadbd process in the cgroup of pod ${uid}`);
}

async function webPod(): Promise<Obj> {
  const pods: Obj[] = await panel.admin.list(
    KINDS.Pod,
    ns(),
    'hostplane.io/site=blog,hostplane.io/component=web',
  );
  const live = pods.filter((p) => !p.metadata.deletionTimestamp);
  if (live.length !== 1) throw new Error(`${live.length} web pods`);
  return live[0];
}

const podReady = (pod: Obj): boolean =>
  pod.status?.conditions?.some((c: Obj) => c.type === 'Ready' && c.status === 'True') ?? false;

beforeAll(async () => {
  expect(stack.HTTP_ADDR, 'stack env has HTTP_ADDR (the edge)').toBeTruthy();
  panel = await startPanel(FIRST_ID, platformInput);
  await panel.startWorker();
  const plan = await createPlan(panel, 'wordpress', { cpu: '4', databases: 2 });
  customer = await createCustomer(panel.api, plan.id);
}, SLOW);

afterAll(async () => {
  if (customer) {
    await panel?.http('DELETE', `/customers/${customer.id}`);
    await panel?.admin.delete(KINDS.Namespace, null, ns()).catch(() => undefined);
  }
  await panel?.close();
});

describe('a WordPress site on the real node', () => {
  it(
    'runs with its MariaDB, completes its installer over HTTP and serves its front page',
    async () => {
      const domain = await panel.http(
        'POST',
        `/customers/${customer.id}/domains`,
        { name: host(), dns: false, mail: false },
        customer.token,
      );
      expect(domain.status, JSON.stringify(domain.body)).toBe(201);
      await markVerified(panel, customer.id, host());
      // PHP versions with a WordPress image only (the default config: 8.4, from Debian trixie).
      const site = { name: 'blog', template: 'wordpress', database: true, domains: [host()] };
      const refused = await panel.http(
        'POST',
        `/customers/${customer.id}/sites`,
        { ...site, phpVersion: '8.2' },
        customer.token,
      );
      expect(refused.status, JSON.stringify(refused.body)).toBe(422);
      expect(refused.body.errors).toEqual([
        expect.objectContaining({ path: 'phpVersion', message: expect.stringMatching(/has 8\.4$/) }),
      ]);
      expect((await panel.http('GET', `/customers/${customer.id}/sites/blog`)).status).toBe(404);
      const created = await panel.http(
        'POST',
        `/customers/${customer.id}/sites`,
        { ...site, phpVersion: '8.4' },
        customer.token,
      );
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      expect(created.body.phpVersion).toBe('8.4');

      const ready = await waitFor(
        'site blog Ready',
        async () => {
          const res = await panel.http('GET', `/customers/${customer.id}/sites/blog`);
          if (res.body.status?.state !== 'Ready') throw new Error(JSON.stringify(res.body.status));
          return res.body;
        },
        { timeoutMs: 540_000, intervalMs: 1_000 },
      );
      expect(ready.status.replicas).toEqual({ desired: 1, ready: 1 });
      const pod = await webPod();
      expect(pod.spec.nodeName).toBe(REAL_NODE_NAME);
      for (const name of ['nginx', 'wordpress']) {
        const container = pod.status.containerStatuses.find((c: Obj) => c.name === name);
        expect(container.state.running?.startedAt, name).toBeTruthy();
        expect(container.containerID).toMatch(/^containerd:\/\//);
      }
      const [db]: Obj[] = await panel.admin.list(
        KINDS.Pod,
        ns(),
        'hostplane.io/site=blog,hostplane.io/component=database',
      );
      expect(db.status.containerStatuses[0].state.running?.startedAt).toBeTruthy();

      // Not installed yet: WordPress sends the visitor to its installer.
      const first = await waitFor(
        `${host()} answering through the edge`,
        async () => {
          const res = await throughEdge('/');
          if (res.status !== 302) throw new Error(`${res.status}: ${res.body.slice(0, 300)}`);
          return res;
        },
        { timeoutMs: 120_000, intervalMs: 1_000 },
      );
      expect(first.headers.location).toMatch(/\/wp-admin\/install\.php$/);
      const form = await throughEdge('/wp-admin/install.php');
      expect(form.status).toBe(200);
      expect(form.body).toContain('weblog_title');

      const password = `Wp-${runTag}-Aa1!xyzQ`;
      const installed = await throughEdge('/wp-admin/install.php?step=2', {
        weblog_title: TITLE,
        user_name: 'admin',
        admin_password: password,
        admin_password2: password,
        admin_email: `admin@${host()}`,
        blog_public: '0',
        language: '',
        Submit: 'Install WordPress',
      });
      expect(installed.status, installed.body.slice(0, 2000)).toBe(200);
      expect(installed.body).toMatch(/Success!/);

      const front = await throughEdge('/');
      expect(front.status, front.body.slice(0, 500)).toBe(200);
      expect(front.body).toContain(`<title>${TITLE}</title>`);
      // The site's files came from the image into the volume, once (the upstream entrypoint contract).
      const login = await throughEdge('/wp-login.php');
      expect(login.status).toBe(200);
    },
    SLOW,
  );

  it(
    'is unready while its database is down, and ready again when it returns',
    async () => {
      // The database stops answering (SIGSTOP to mariadbd from the host: the node's containers are this
      // host's processes; the kernel still completes TCP handshakes, so only a real query notices).
      // Scaling its StatefulSet to 0 no longer serves: the pod's deletion is an event of the worker's
      // watch, whose pass puts the replica back at once (the panel's desired state says 1).
      const mariadbd = await databasePid();
      process.kill(mariadbd, 'SIGSTOP');
      try {
        const unready = await waitFor(
          'the web pod unready without its database',
          async () => {
            const pod = await webPod();
            return podReady(pod) ? undefined : pod;
          },
          { timeoutMs: 120_000, intervalMs: 1_000 },
        );
        // nginx (liveness on /healthz) and php-fpm keep running: a database outage restarts nothing.
        const nginx = unready.status.containerStatuses.find((c: Obj) => c.name === 'nginx');
        expect(nginx.ready).toBe(false);
        expect(nginx.restartCount).toBe(0);
        expect(unready.status.containerStatuses.find((c: Obj) => c.name === 'wordpress').ready).toBe(true);
        // A visitor meanwhile gets 503 from the edge (the site is known, its backend unavailable), not 404.
        // Until the edge has the endpoint's removal (EndpointSlice, then Traefik's 2 s throttle), a request
        // still reaches the pod and waits on the stopped database: those count as "not yet" after 3 s.
        await waitFor(
          'the edge answering 503 for the blog',
          async () => ((await throughEdge('/', undefined, 3_000)).status === 503 ? true : undefined),
          { timeoutMs: 60_000, intervalMs: 500 },
        );
      } finally {
        process.kill(mariadbd, 'SIGCONT');
      }
      await waitFor('the web pod ready again', async () => podReady(await webPod()), {
        timeoutMs: 240_000,
        intervalMs: 1_000,
      });
      // The edge learns the ready endpoint again (Traefik's provider throttle: ~2 s).
      const front = await waitFor(
        'the blog served through the edge again',
        async () => {
          const res = await throughEdge('/');
          return res.status === 200 ? res : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 500 },
      );
      expect(front.body).toContain(`<title>${TITLE}</title>`);
    },
    SLOW,
  );

  it(
    'goes away when deleted',
    async () => {
      const res = await panel.http(
        'DELETE',
        `/customers/${customer.id}/sites/blog`,
        undefined,
        customer.token,
      );
      expect(res.status).toBeLessThan(300);
      await waitFor(
        'the site gone',
        async () => {
          const [deployment, pods] = await Promise.all([
            panel.admin.get(KINDS.Deployment, ns(), 'blog'),
            panel.admin.list(KINDS.Pod, ns(), 'hostplane.io/site=blog'),
          ]);
          return deployment === null && pods.length === 0;
        },
        { timeoutMs: 180_000, intervalMs: 1_000 },
      );
      expect((await panel.http('GET', `/customers/${customer.id}/sites/blog`)).status).toBe(404);
    },
    SLOW,
  );
});
