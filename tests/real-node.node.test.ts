// Sites on the real node (HOSTPLANE_STACK_NODE=real; `npm run test:node`): created through the API,
// run by the kubelet in containerd from images built out of Debian packages (`hostplane images
// build`), their volumes provisioned as `local` PersistentVolumes, reached through their Service
// from the host (the node's bridge + kube-proxy). Nothing here is stamped Ready by kwok.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { READY_PAGE_TEXT } from '@hostplane/domain';
import {
  importArchiveIntoNode,
  LOCAL_STORAGE_CLASS,
  packImage,
  REAL_NODE_NAME,
  realNodeComponents,
  stackDown,
  stackUp,
} from '@hostplane/localstack';
import { KINDS } from '@hostplane/provisioner-k8s';
import { stackStateDir, waitFor } from '@hostplane/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCustomer, createPlan, type Panel, runTag, startPanel } from './support/panel.ts';

const run = promisify(execFile);
const FIRST_ID = 700_000 + (process.pid % 20_000) * 10;
const SLOW = 300_000;

let panel: Panel;
let customerId: number;
const ns = () => `cust-${customerId}`;

// biome-ignore lint/suspicious/noExplicitAny: Kubernetes objects read by the assertions that check them
type Obj = any;

async function site(name: string): Promise<Obj> {
  const res = await panel.http('GET', `/customers/${customerId}/sites/${name}`);
  if (res.status !== 200) throw new Error(`GET site ${name}: ${res.status}`);
  return res.body;
}

async function createSite(body: object): Promise<void> {
  const res = await panel.http('POST', `/customers/${customerId}/sites`, body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
}

async function sitePods(name: string): Promise<Obj[]> {
  return panel.admin.list(KINDS.Pod, ns(), `hostplane.io/site=${name}`);
}

/** The site's Service from the host: its ClusterIP, DNATed by kube-proxy to the pod on the node's bridge. */
async function getFromService(name: string, path = '/'): Promise<{ status: number; body: string }> {
  const service: Obj = await panel.admin.get(KINDS.Service, ns(), name);
  const response = await fetch(`http://${service.spec.clusterIP}${path}`, {
    signal: AbortSignal.timeout(5_000),
  });
  return { status: response.status, body: await response.text() };
}

/** The directory of the site's `local` PersistentVolume on the node. */
async function volumePath(name: string): Promise<string> {
  const claim: Obj = await waitFor(
    `PVC ${name}-data bound`,
    async () => {
      const pvc: Obj = await panel.admin.get(KINDS.PersistentVolumeClaim, ns(), `${name}-data`);
      return pvc?.status?.phase === 'Bound' ? pvc : undefined;
    },
    60_000,
  );
  const pv: Obj = await panel.admin.get(KINDS.PersistentVolume, null, claim.spec.volumeName);
  expect(pv.spec.storageClassName).toBe(LOCAL_STORAGE_CLASS);
  expect(pv.spec.hostPath).toBeUndefined();
  return pv.spec.local.path;
}

async function serves(name: string, path: string, expected: RegExp, timeoutMs = 120_000): Promise<string> {
  return waitFor(
    `${name}${path} answering ${expected}`,
    async () => {
      const { status, body } = await getFromService(name, path);
      if (status !== 200 || !expected.test(body)) throw new Error(`${status}: ${body.slice(0, 200)}`);
      return body;
    },
    { timeoutMs },
  );
}

async function failedWith(name: string, reason: string): Promise<Obj> {
  return waitFor(
    `site ${name} Failed with ${reason}`,
    async () => {
      const body = await site(name);
      if (body.status?.state !== 'Failed' || body.status?.reason !== reason) {
        throw new Error(JSON.stringify(body.status));
      }
      return body;
    },
    { timeoutMs: 180_000 },
  );
}

/** The customer's Kubernetes condition once it says `expected`. */
async function kubernetesCondition(expected: RegExp): Promise<Obj> {
  return waitFor(
    `the Kubernetes condition saying ${expected}`,
    async () => {
      const customer = await panel.http('GET', `/customers/${customerId}`);
      const condition = customer.body.status.conditions.find((c: Obj) => c.type === 'Kubernetes');
      return expected.test(JSON.stringify(condition)) ? condition : undefined;
    },
    { timeoutMs: 60_000 },
  );
}

/** A customer's image: one static C program as its entrypoint, imported into the node (no registry). */
async function customerImage(name: string, source: string): Promise<string> {
  const work = await mkdtemp(join(tmpdir(), `hostplane-${name}-`));
  try {
    await writeFile(join(work, `${name}.c`), source);
    await run('mkdir', ['-p', join(work, 'rootfs')]);
    await run('gcc', ['-O1', '-static', '-o', join(work, 'rootfs', name), join(work, `${name}.c`)]);
    await run('tar', [
      '--owner=0',
      '--group=0',
      '-C',
      join(work, 'rootfs'),
      '-cf',
      join(work, 'rootfs.tar'),
      name,
    ]);
    const ref = `hostplane.test/${runTag}/${name}:1.0`;
    await packImage(
      work,
      join(work, 'rootfs.tar'),
      { entrypoint: [`/${name}`], user: '10001:10001' },
      ref,
      join(work, `${name}.tar`),
    );
    await importArchiveIntoNode(stackStateDir(), join(work, `${name}.tar`));
    return ref;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

beforeAll(async () => {
  panel = await startPanel(FIRST_ID, {
    storage: { storageClass: LOCAL_STORAGE_CLASS, siteVolumeSize: '1Gi', databaseVolumeSize: '1Gi' },
    publicAddresses: { ipv4: ['127.0.0.1'] },
    kubernetes: { namespaceStuckAfterSeconds: 300 },
  });
  await panel.startWorker();
  const plan = await createPlan(panel, 'node', { cpu: '4', sites: 5 });
  customerId = await createCustomer(panel, plan.id, 'Node Ltd', `owner@${runTag}-node.test`);
}, SLOW);

afterAll(async () => {
  if (customerId) {
    await panel?.http('DELETE', `/customers/${customerId}`);
    // The worker stops with the panel: its namespace (and the pods on the node) go now, not never.
    await panel?.admin.delete(KINDS.Namespace, null, ns()).catch(() => undefined);
  }
  await panel?.close();
});

describe('sites on the real node', () => {
  it(
    'a static site runs in a real container and its Service answers 200 with the default page',
    async () => {
      await createSite({ name: 'web', template: 'static' });
      // Timing is `npm run bench:sites`' business; here only that it serves.
      const body = await serves('web', '/', new RegExp(READY_PAGE_TEXT));
      expect(body).toContain(READY_PAGE_TEXT);
      const ready = await waitFor(
        'site web Ready',
        async () => {
          const s = await site('web');
          return s.status?.state === 'Ready' ? s : undefined;
        },
        120_000,
      );
      expect(ready.status.replicas).toEqual({ desired: 1, ready: 1 });
      const [pod] = await sitePods('web');
      expect(pod.spec.nodeName).toBe(REAL_NODE_NAME);
      const nginx = pod.status.containerStatuses.find((c: Obj) => c.name === 'nginx');
      expect(nginx.state.running?.startedAt).toBeTruthy();
      expect(nginx.containerID).toMatch(/^containerd:\/\//);
      expect(nginx.imageID).toBeTruthy();
      // The pod itself, on the node's bridge.
      const direct = await fetch(`http://${pod.status.podIP}:8080/healthz`);
      expect(direct.status).toBe(200);
    },
    SLOW,
  );

  it(
    'a file on the site volume is served, and still is after the node restarts',
    async () => {
      const dir = await volumePath('web');
      await writeFile(join(dir, 'hello.txt'), `hello from ${runTag}\n`, { mode: 0o644 });
      await serves('web', '/hello.txt', new RegExp(`hello from ${runTag}`));
      const [before] = await sitePods('web');

      // The node goes down (pods removed from containerd, kubelet and containerd stopped) and comes back.
      await stackDown({ only: realNodeComponents, say: () => undefined });
      await stackUp({ say: () => undefined });

      await waitFor(
        'the site pod running again in a new sandbox',
        async () => {
          const [pod] = await sitePods('web');
          const nginx = pod?.status?.containerStatuses?.find((c: Obj) => c.name === 'nginx');
          return nginx?.ready && nginx.containerID !== before.status.containerStatuses[0].containerID;
        },
        120_000,
      );
      await serves('web', '/hello.txt', new RegExp(`hello from ${runTag}`));
      await serves('web', '/', new RegExp(READY_PAGE_TEXT));
    },
    SLOW,
  );

  it(
    'a php site executes PHP (nginx + php-fpm in the pod)',
    async () => {
      await createSite({ name: 'app', template: 'php' });
      await serves('app', '/', new RegExp(READY_PAGE_TEXT));
      const dir = await volumePath('app');
      await writeFile(
        join(dir, 'index.php'),
        '<?php echo "sum=" . (20 + 22) . " on PHP " . PHP_MAJOR_VERSION;\n',
        {
          mode: 0o644,
        },
      );
      const body = await serves('app', '/', /sum=42 on PHP 8/);
      expect(body).not.toContain('<?php');
    },
    SLOW,
  );

  it(
    'an image that cannot be pulled shows as ImagePullBackOff in the site status and the Kubernetes condition',
    async () => {
      await createSite({
        name: 'broken',
        template: 'image',
        image: 'registry.invalid/hostplane/missing:1.0',
        port: 8080,
      });
      const failed = await failedWith('broken', 'ImagePullBackOff');
      expect(failed.status.message).toMatch(/broken-[a-z0-9]+-[a-z0-9]+\/app/);
      // The site's status is read from the pod at each GET; the customer's Kubernetes condition is
      // written by the reconciler's next pass (it may still say Progressing when the pod backs off).
      const kubernetes: Obj = await waitFor(
        'the Kubernetes condition of the customer naming ImagePullBackOff',
        async () => {
          const customer = await panel.http('GET', `/customers/${customerId}`);
          const condition = customer.body.status.conditions.find((c: Obj) => c.type === 'Kubernetes');
          return JSON.stringify(condition).includes('ImagePullBackOff') ? condition : undefined;
        },
        { timeoutMs: 60_000 },
      );
      expect(kubernetes.status).toBe('False');
      expect((await panel.http('DELETE', `/customers/${customerId}/sites/broken`)).status).toBeLessThan(300);
    },
    SLOW,
  );

  it(
    "a container that runs but never listens shows the kubelet's probe failure in the site status",
    async () => {
      const ref = await customerImage('idle', '#include <unistd.h>\nint main(void){for(;;)pause();}\n');
      await createSite({ name: 'idle', template: 'image', image: ref, port: 8080 });
      const failed = await failedWith('idle', 'StartupProbeFailed');
      expect(failed.status.message).toMatch(
        /idle-[a-z0-9]+-[a-z0-9]+\/app: Startup probe failed: dial tcp [\d.]+:8080: connect: connection refused \(\d+ times\)/,
      );
      // The condition is written when the pass ends, a moment after the site's status.
      const kubernetes = await kubernetesCondition(/StartupProbeFailed/);
      expect(kubernetes.status).toBe('False');
      expect((await panel.http('DELETE', `/customers/${customerId}/sites/idle`)).status).toBeLessThan(300);
    },
    SLOW,
  );

  it(
    'a container that exits shows CrashLoopBackOff with its exit code and last log lines',
    async () => {
      const ref = await customerImage(
        'crash',
        '#include <stdio.h>\nint main(void){fputs("starting\\nfatal: cannot read /etc/app.conf\\n",stderr);return 3;}\n',
      );
      await createSite({ name: 'crash', template: 'image', image: ref, port: 8080 });
      const failed = await failedWith('crash', 'CrashLoopBackOff');
      expect(failed.status.message).toMatch(/crash-[a-z0-9]+-[a-z0-9]+\/app: /);
      expect(failed.status.message).toContain('exit code 3');
      expect(failed.status.message).toContain('fatal: cannot read /etc/app.conf');
      expect((await panel.http('DELETE', `/customers/${customerId}/sites/crash`)).status).toBeLessThan(300);
    },
    SLOW,
  );

  it(
    'a container that exceeds its memory limit is OOMKilled and the site status says so',
    async () => {
      // A customer's image that allocates far more than the 256Mi its container may use.
      const ref = await customerImage(
        'hog',
        '#include <stdlib.h>\n#include <string.h>\nint main(void){for(;;){char*p=malloc(16<<20);if(p)memset(p,1,16<<20);}}\n',
      );
      await createSite({ name: 'hog', template: 'image', image: ref, port: 8080 });
      const failed = await failedWith('hog', 'OOMKilled');
      expect(failed.status.message).toMatch(
        /hog-[a-z0-9]+-[a-z0-9]+\/app: killed for exceeding its memory limit/,
      );
      const [pod] = await sitePods('hog');
      const app = pod.status.containerStatuses.find((c: Obj) => c.name === 'app');
      expect([app.state.terminated?.reason, app.lastState.terminated?.reason]).toContain('OOMKilled');
    },
    SLOW,
  );
});
