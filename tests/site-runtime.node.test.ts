// Issue 16 on the real node (HOSTPLANE_STACK_NODE=real, images built): customer databases on the
// customer's own MariaDB reached from its site's pod, export and import through the API, and a PHP
// version change that rolls without a failed request.
import { writeFile } from 'node:fs/promises';
import { get as httpGet } from 'node:http';
import { join } from 'node:path';
import { KINDS } from '@hostplane/provisioner-k8s';
import { waitFor } from '@hostplane/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer } from '../apps/api/src/testing/harness.ts';
import {
  createPlan,
  newPassword,
  type Panel,
  platformInput,
  runTag,
  stack,
  startPanel,
} from './support/panel.ts';
import { podExec } from './support/velero-node.ts';

const FIRST_ID = 760_000 + (process.pid % 20_000) * 10;
const SLOW = 300_000;
const RESYNC_MINUTES = 60;
/** How soon after its pod changes the API shows a site's new state (the watch's pass, not the resync). */
const STATUS_FOLLOWS_MS = 60_000;

let panel: Panel;
let alpha: number;
let beta: number;

// biome-ignore lint/suspicious/noExplicitAny: Kubernetes objects and API answers read by the assertions
type Obj = any;

async function createCustomer(name: string, planId: number): Promise<number> {
  const res = await panel.http('POST', '/customers', {
    name,
    email: `owner@${runTag}-${name.toLowerCase()}.test`,
    planId,
    password: newPassword(),
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}

async function volumePath(customerId: number, site: string): Promise<string> {
  const claim: Obj = await waitFor(
    `PVC ${site}-data bound`,
    async () => {
      const pvc: Obj = await panel.admin.get(
        KINDS.PersistentVolumeClaim,
        `cust-${customerId}`,
        `${site}-data`,
      );
      return pvc?.status?.phase === 'Bound' ? pvc : undefined;
    },
    120_000,
  );
  const pv: Obj = await panel.admin.get(KINDS.PersistentVolume, null, claim.spec.volumeName);
  return pv.spec.local.path;
}

/**
 * GET on the site's Service, on a connection of its own. A rollout's old pod closes its idle keep-alive
 * connections when nginx shuts down gracefully; a browser sends a request again when the connection it
 * reused was closed under it, fetch does not, so a pooled connection would count that race as an
 * outage. A new connection per request asks what matters: does the Service answer every new visitor.
 */
function get(customerId: number, site: string, path = '/'): Promise<{ status: number; body: string }> {
  return panel.admin.get(KINDS.Service, `cust-${customerId}`, site).then(
    (service: Obj) =>
      new Promise((resolve, reject) => {
        const req = httpGet({ host: service.spec.clusterIP, port: 80, path, agent: false }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            body += chunk;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          res.on('error', reject);
        });
        req.setTimeout(5_000, () => req.destroy(new Error('no answer within 5 s')));
        req.on('error', reject);
      }),
  );
}

async function serves(
  customerId: number,
  site: string,
  expected: RegExp,
  timeoutMs = 180_000,
): Promise<string> {
  return waitFor(
    `${site} answering ${expected}`,
    async () => {
      const { status, body } = await get(customerId, site);
      if (status !== 200 || !expected.test(body)) throw new Error(`${status}: ${body.slice(0, 300)}`);
      return body;
    },
    { timeoutMs },
  );
}

async function databasesReady(customerId: number): Promise<void> {
  await waitFor(
    `customer ${customerId} Databases True`,
    async () => {
      const res = await panel.http('GET', `/customers/${customerId}`);
      const condition = res.body.status.conditions.find((c: Obj) => c.type === 'Databases');
      if (condition?.status !== 'True' || condition.observedGeneration !== res.body.generation)
        throw new Error(JSON.stringify(condition));
      return true;
    },
    { timeoutMs: 240_000 },
  );
}

async function importSql(customerId: number, database: string, sql: string) {
  const res = await panel.api.app.inject({
    method: 'POST',
    url: `/api/v1/customers/${customerId}/databases/${database}/import`,
    headers: { ...bearer(panel.api.adminToken), 'content-type': 'application/sql' },
    payload: sql,
  });
  return { status: res.statusCode, body: res.json() };
}

async function dump(customerId: number, database: string): Promise<string> {
  const res = await panel.api.app.inject({
    method: 'GET',
    url: `/api/v1/customers/${customerId}/databases/${database}/dump`,
    headers: bearer(panel.api.adminToken),
  });
  expect(res.statusCode, res.body).toBe(200);
  expect(res.headers['content-type']).toMatch(/application\/sql/);
  return res.body;
}

beforeAll(async () => {
  panel = await startPanel(FIRST_ID, platformInput);
  // Resync once an hour (the default is 10 min): what a site's status shows here between passes comes
  // from mutations, requeues and the worker's watch, never from a periodic pass that happens to fall
  // inside a test's wait (the stuck-php case below proves the watch with it).
  await panel.startWorker({ resyncMinutes: RESYNC_MINUTES });
  const plan = await createPlan(panel, 'runtime', { cpu: '4', sites: 5, databases: 2 });
  alpha = await createCustomer('Alpha', plan.id);
  beta = await createCustomer('Beta', plan.id);
}, SLOW);

afterAll(async () => {
  for (const id of [alpha, beta]) {
    if (!id) continue;
    await panel?.http('DELETE', `/customers/${id}`);
    await panel?.admin.delete(KINDS.Namespace, null, `cust-${id}`).catch(() => undefined);
  }
  await panel?.close();
});

describe('customer databases on the real node', () => {
  let betaCredentials: Obj;

  it(
    "a database made through the API accepts its credentials from the site's pod and refuses another customer's",
    async () => {
      const site = await panel.http('POST', `/customers/${alpha}/sites`, { name: 'app', template: 'php' });
      expect(site.status, JSON.stringify(site.body)).toBe(201);
      const created = await panel.http('POST', `/customers/${alpha}/databases`, {
        name: 'shop',
        sites: ['app'],
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      expect(created.body.credentials).toMatchObject({
        database: 'shop',
        username: 'shop',
        host: `mariadb.cust-${alpha}.svc.cluster.local`,
        port: 3306,
      });
      expect(created.body.credentials.password).toMatch(/^[A-Za-z0-9_-]{24}$/);
      // Shown once: a read never carries it.
      const read = await panel.http('GET', `/customers/${alpha}/databases/shop`);
      expect(JSON.stringify(read.body)).not.toContain(created.body.credentials.password);
      const other = await panel.http('POST', `/customers/${beta}/databases`, { name: 'shop2' });
      expect(other.status, JSON.stringify(other.body)).toBe(201);
      betaCredentials = other.body.credentials;

      await databasesReady(alpha);
      // The page connects as the pod sees it: cluster DNS is not on every node profile, so it dials
      // the Service's address, with the credentials from its environment (DB_SHOP_*).
      const service: Obj = await panel.admin.get(KINDS.Service, `cust-${alpha}`, 'mariadb');
      const dir = await volumePath(alpha, 'app');
      const php = `<?php
$host = '${service.spec.clusterIP}';
function attempt($host, $db, $user, $password) {
  try {
    $pdo = new PDO("mysql:host=$host;port=" . getenv('DB_SHOP_PORT') . ";dbname=$db", $user, $password);
    return 'ok:' . $pdo->query('SELECT CURRENT_USER()')->fetchColumn();
  } catch (PDOException $e) { return 'denied:' . $e->getCode(); }
}
echo 'env=' . getenv('DB_SHOP_HOST') . "\\n";
echo 'own=' . attempt($host, getenv('DB_SHOP_NAME'), getenv('DB_SHOP_USER'), getenv('DB_SHOP_PASSWORD')) . "\\n";
echo 'other=' . attempt($host, '${betaCredentials.database}', '${betaCredentials.username}', '${betaCredentials.password}') . "\\n";
`;
      await writeFile(join(dir, 'index.php'), php, { mode: 0o644 });
      const body = await serves(alpha, 'app', /own=ok:shop@%/);
      expect(body).toContain(`env=mariadb.cust-${alpha}.svc.cluster.local`);
      // Beta's user does not exist on Alpha's server: access denied (SQLSTATE 1045 / 28000).
      expect(body).toMatch(/other=denied:(1045|28000)/);
    },
    SLOW,
  );

  it(
    'a dump exported through the API and imported again round-trips a table',
    async () => {
      const created = await importSql(
        alpha,
        'shop',
        "CREATE TABLE products (id INT PRIMARY KEY, name VARCHAR(40));\nINSERT INTO products VALUES (1, 'crème brûlée'), (2, 'tea');\n",
      );
      expect(created.status, JSON.stringify(created.body)).toBe(200);
      const exported = await dump(alpha, 'shop');
      expect(exported).toContain('CREATE TABLE `products`');
      expect(exported).toContain('crème brûlée');

      const dropped = await importSql(alpha, 'shop', 'DROP TABLE products;');
      expect(dropped.status).toBe(200);
      expect(await dump(alpha, 'shop')).not.toContain('products');
      const restored = await importSql(alpha, 'shop', exported);
      expect(restored.status, JSON.stringify(restored.body)).toBe(200);
      const again = await dump(alpha, 'shop');
      expect(again).toMatch(/INSERT INTO `products` VALUES\s*\(1,'crème brûlée'\),\s*\(2,'tea'\);/);

      const bad = await importSql(alpha, 'shop', 'SELEC nonsense;');
      expect(bad.status).toBe(422);
      expect(bad.body.errors[0].path).toBe('body');
      expect(bad.body.detail).toMatch(/ERROR 1064/);
      // The owner cannot reach into the server's own tables.
      const reachOut = await importSql(alpha, 'shop', 'SELECT * FROM mysql.user;');
      expect(reachOut.status).toBe(422);
    },
    SLOW,
  );
});

describe('PHP versions on the real node', () => {
  it(
    'a site switched from PHP 8.2 to 8.4 reports the new phpversion() while requests keep answering',
    async () => {
      const site = await panel.http('POST', `/customers/${beta}/sites`, {
        name: 'ver',
        template: 'php',
        phpVersion: '8.2',
        php: { memoryLimit: '192M' },
      });
      expect(site.status, JSON.stringify(site.body)).toBe(201);
      expect(site.body).toMatchObject({ phpVersion: '8.2', php: { memoryLimit: '192M' } });
      const dir = await volumePath(beta, 'ver');
      await writeFile(
        join(dir, 'index.php'),
        "<?php echo 'php=' . phpversion() . ' memory=' . ini_get('memory_limit');\n",
        { mode: 0o644 },
      );
      await serves(beta, 'ver', /php=8\.2\.\d+ memory=192M/);

      let requests = 0;
      const failures: string[] = [];
      let seen84 = false;
      const patched = await panel.http('PATCH', `/customers/${beta}/sites/ver`, { phpVersion: '8.4' });
      expect(patched.status, JSON.stringify(patched.body)).toBe(200);
      const deadline = Date.now() + 240_000;
      let after84 = 0;
      // Requests all through the rollout, until the new version has answered for a while.
      while (Date.now() < deadline && after84 < 30) {
        requests++;
        try {
          const { status, body } = await get(beta, 'ver');
          if (status !== 200) failures.push(`${status} ${body.slice(0, 120)}`);
          else if (/php=8\.4\.\d+ memory=192M/.test(body)) seen84 = true;
          else if (!/php=8\.2\.\d+/.test(body)) failures.push(body.slice(0, 120));
        } catch (err) {
          const e = err as NodeJS.ErrnoException;
          failures.push(`${e.code ?? ''} ${e.message}`.trim());
        }
        if (seen84) after84++;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(seen84).toBe(true);
      expect(failures).toEqual([]);
      expect(requests).toBeGreaterThan(30);
      const pods: Obj[] = await panel.admin.list(KINDS.Pod, `cust-${beta}`, 'hostplane.io/site=ver');
      const running = pods.filter((p) => !p.metadata.deletionTimestamp);
      expect(running.map((p) => p.spec.containers.find((c: Obj) => c.name === 'php-fpm').image)).toContain(
        'docker.io/library/php:8.4.8-fpm-alpine',
      );
    },
    SLOW,
  );
});

const ENDPOINT_SLICE = {
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  plural: 'endpointslices',
  namespaced: true,
};

describe('readiness of a php site on the real node', () => {
  it(
    "a php-fpm that stops answering takes the pod out of the Service without a restart, and the site's status in the API follows within a minute (the watch, no resync); it comes back when PHP answers again",
    async () => {
      const site = await panel.http('POST', `/customers/${beta}/sites`, { name: 'stuck', template: 'php' });
      expect(site.status, JSON.stringify(site.body)).toBe(201);
      await serves(beta, 'stuck', /ready to receive content/);
      const pods: Obj[] = (
        await panel.admin.list(KINDS.Pod, `cust-${beta}`, 'hostplane.io/site=stuck')
      ).filter((p: Obj) => !p.metadata.deletionTimestamp);
      expect(pods).toHaveLength(1);
      const name: string = pods[0]?.metadata.name;
      const ready = async () => {
        const now: Obj = await panel.admin.get(KINDS.Pod, `cust-${beta}`, name);
        return now.status.conditions.find((c: Obj) => c.type === 'Ready')?.status === 'True';
      };
      // php-fpm's workers stop (SIGSTOP; the master, pid 1, keeps its port open, so a TCP probe on
      // 9000 still passes): nginx answers /healthz, PHP answers nothing. The shell skips itself (its
      // own command line names the pattern) and pid 1.
      const workers = (signal: string) =>
        podExec(stack.KUBECONFIG, `cust-${beta}`, name, 'php-fpm', [
          'sh',
          '-c',
          `n=0; for d in /proc/[0-9]*; do p=\${d#/proc/}; [ "$p" = 1 ] || [ "$p" = $$ ] && continue; grep -q '^php-fpm: pool' "$d/cmdline" 2>/dev/null && kill -${signal} "$p" && n=$((n+1)); done; echo $n`,
        ]);
      expect(Number(await workers('STOP'))).toBeGreaterThan(0);
      // The pod leaves the Service: its endpoint is no longer ready, so no visitor is sent to it.
      await waitFor(
        'the pod unready and out of the Service',
        async () => {
          const podReady = await ready();
          const slices = await panel.admin.list(
            ENDPOINT_SLICE,
            `cust-${beta}`,
            'kubernetes.io/service-name=stuck',
          );
          const readyEndpoints = slices.flatMap((e: Obj) =>
            (e.endpoints ?? []).filter((x: Obj) => x.conditions?.ready === true),
          );
          if (podReady || readyEndpoints.length > 0)
            throw new Error(`pod Ready ${podReady}; ready endpoints ${readyEndpoints.length}`);
          return true;
        },
        { timeoutMs: 90_000 },
      );
      // The site's status in the API follows the pod without any reconcile asked for and without the
      // resync (once an hour here): the worker's watch sees the Deployment's ready replicas drop.
      const siteState = async () => {
        const res = await panel.http('GET', `/customers/${beta}/sites/stuck`);
        return res.body.status as { state: string; reason: string; message: string } | null;
      };
      const unreadyAt = Date.now();
      const stale = await waitFor(
        'the site status not Ready',
        async () => {
          const status = await siteState();
          if (!status || status.state === 'Ready') throw new Error(JSON.stringify(status));
          return status;
        },
        { timeoutMs: STATUS_FOLLOWS_MS },
      );
      expect(['Progressing', 'Failed']).toContain(stale.state);
      const notReadyMs = Date.now() - unreadyAt;
      expect(Number(await workers('CONT'))).toBeGreaterThan(0);
      await waitFor('the pod ready again', async () => ((await ready()) ? true : undefined), {
        timeoutMs: 90_000,
      });
      const readyAt = Date.now();
      await waitFor(
        'the site status Ready again',
        async () => {
          const status = await siteState();
          if (status?.state !== 'Ready') throw new Error(JSON.stringify(status));
          return status;
        },
        { timeoutMs: STATUS_FOLLOWS_MS },
      );
      process.stdout.write(
        `site status followed the pod: not Ready ${notReadyMs} ms after the pod left the Service, Ready ${Date.now() - readyAt} ms after it was ready again (resync every ${RESYNC_MINUTES} min)\n`,
      );
      const after: Obj = await panel.admin.get(KINDS.Pod, `cust-${beta}`, name);
      expect(after.status.containerStatuses.map((c: Obj) => c.restartCount)).toEqual([0, 0]);
      await serves(beta, 'stuck', /ready to receive content/);
    },
    SLOW,
  );
});

describe('cron jobs on the real node', () => {
  it(
    'a cron job writing into the volume runs twice with its status and log in the API; a failing one shows its exit code',
    async () => {
      const tick = await panel.http('POST', `/customers/${alpha}/sites/app/cronjobs`, {
        name: 'tick',
        schedule: '* * * * *',
        timeZone: 'Europe/Berlin',
        command: 'date +%s >> ticks.txt && echo "tick-$(wc -l < ticks.txt)"',
      });
      expect(tick.status, JSON.stringify(tick.body)).toBe(201);
      expect(tick.body).toMatchObject({ concurrencyPolicy: 'Forbid', suspended: false, lastRuns: [] });
      const fail = await panel.http('POST', `/customers/${alpha}/sites/app/cronjobs`, {
        name: 'fail',
        schedule: '*/1 * * * *',
        command: 'echo "boom on purpose" >&2; exit 3',
      });
      expect(fail.status, JSON.stringify(fail.body)).toBe(201);
      const cronJob: Obj = await waitFor(
        'CronJob app-cron-tick',
        async () => (await panel.admin.get(KINDS.CronJob, `cust-${alpha}`, 'app-cron-tick')) ?? undefined,
        60_000,
      );
      expect(cronJob.spec).toMatchObject({ concurrencyPolicy: 'Forbid', timeZone: 'Europe/Berlin' });

      const runs = await waitFor(
        'two successful runs of tick',
        async () => {
          const res = await panel.http('GET', `/customers/${alpha}/sites/app/cronjobs/tick`);
          const done = res.body.lastRuns.filter((r: Obj) => r.state === 'Succeeded');
          if (done.length < 2) throw new Error(JSON.stringify(res.body.lastRuns));
          return done;
        },
        { timeoutMs: 200_000, intervalMs: 2_000 },
      );
      for (const run of runs) {
        expect(run.exitCode).toBe(0);
        expect(run.logTail).toMatch(/tick-\d+/);
        expect(run.startedAt).toBeTruthy();
      }
      const dir = await volumePath(alpha, 'app');
      const { readFile } = await import('node:fs/promises');
      const lines = (await readFile(join(dir, 'ticks.txt'), 'utf8')).trim().split('\n');
      expect(lines.length).toBeGreaterThanOrEqual(2);

      const failed = await waitFor(
        'a failed run of fail',
        async () => {
          const res = await panel.http('GET', `/customers/${alpha}/sites/app/cronjobs`);
          const job = res.body.items.find((j: Obj) => j.name === 'fail');
          const run = job?.lastRuns.find((r: Obj) => r.state === 'Failed' && r.exitCode !== null);
          if (!run) throw new Error(JSON.stringify(job?.lastRuns));
          return run;
        },
        { timeoutMs: 150_000, intervalMs: 2_000 },
      );
      expect(failed.exitCode).toBe(3);
      expect(failed.logTail).toContain('boom on purpose');
    },
    SLOW,
  );
});
