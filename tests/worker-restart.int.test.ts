// A customer in flight when its worker dies converges under the next one: `hostplane serve
// --worker-only` (a child process, the real composition root) is killed with SIGKILL in the middle
// of the customer's first reconcile, then a new worker takes over the released job.
import { once } from 'node:events';
import { KINDS } from '@hostplane/provisioner-k8s';
import { waitFor } from '@hostplane/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createCustomer,
  createPlan,
  markVerified,
  NAMESPACE_GONE_MS,
  type Panel,
  runTag,
  startPanel,
} from './support/panel.ts';

const FIRST_ID = 620_000 + (process.pid % 20_000) * 10;
const domain = `${runTag}-restart.test`;
let panel: Panel;

beforeAll(async () => {
  panel = await startPanel(FIRST_ID);
});
afterAll(async () => {
  await panel?.close();
});

interface Condition {
  type: string;
  status: string;
  observedGeneration: number | null;
}

describe('a worker killed mid-pass', () => {
  it(
    'leaves the customer to the next worker, which converges it',
    async () => {
      const plan = await createPlan(panel, 'restart', { mailboxes: 2 });
      const id = await createCustomer(panel, plan.id, 'Restart Ltd', `owner@${domain}`);
      expect((await panel.http('POST', `/customers/${id}/domains`, { name: domain })).status).toBe(201);
      // Not about ownership: an admin vouches for the domain so its mail and routes go live.
      await markVerified(panel, id, domain);
      const site = { name: 'web', template: 'static', domains: [domain] };
      expect((await panel.http('POST', `/customers/${id}/sites`, site)).status).toBe(201);

      // The first worker starts the pass; it dies as soon as the namespace shows the pass is under way.
      const first = panel.spawnServeWorker();
      const output: string[] = [];
      first.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
      const exited = new AbortController();
      first.once('exit', (code) =>
        exited.abort(new Error(`serve --worker-only exited ${code}: ${output.join('')}`)),
      );
      await waitFor(
        'the namespace of the pass',
        async () => (await panel.admin.get(KINDS.Namespace, null, `cust-${id}`)) ?? undefined,
        { timeoutMs: 60_000, intervalMs: 50, signal: exited.signal },
      );
      first.kill('SIGKILL');
      await once(first, 'exit');
      const atKill = await panel.http('GET', `/customers/${id}`);
      expect(atKill.body.status.ready).toBe(false);

      await panel.startWorker();
      await waitFor(
        'Kubernetes, DNS and Mail True after the restart',
        async () => {
          const c = (await panel.http('GET', `/customers/${id}`)).body;
          const conditions = c.status.conditions as Condition[];
          return ['Kubernetes', 'DNS', 'Mail'].every((t) =>
            conditions.some(
              (x) => x.type === t && x.status === 'True' && x.observedGeneration === c.generation,
            ),
          );
        },
        120_000,
      );
      const deployments = await panel.admin.list(KINDS.Deployment, `cust-${id}`, 'hostplane.io/site=web');
      expect(deployments).toHaveLength(1);
      const status = (await panel.http('GET', `/customers/${id}/sites/web`)).body.status;
      expect(status).toMatchObject({ state: 'Ready', replicas: { desired: 1, ready: 1 } });

      // Clean up through the API too (the namespace is shared state of the stack).
      expect((await panel.http('DELETE', `/customers/${id}`)).status).toBe(202);
      await waitFor(
        'customer gone',
        async () => (await panel.http('GET', `/customers/${id}`)).status === 404,
        NAMESPACE_GONE_MS,
      );
      expect(await panel.admin.get(KINDS.Namespace, null, `cust-${id}`)).toBeNull();
    },
    300_000 + NAMESPACE_GONE_MS,
  );
});
