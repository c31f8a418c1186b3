// `npm run bench:sites`: static sites on the real node (HOSTPLANE_STACK_NODE=real, `stack up`, images
// built with `npx hostplane images build`). Creates BENCH_SITES sites (default 20) through the API, one
// after the other on an otherwise idle stack, and times each from its POST to the first HTTP 200 of
// its default page through its Service. Prints p50/p99, sites per minute, and the resident memory the
// sites added on the node (their containers and containerd shims). The customer is deleted afterwards.
import { readdirSync, readFileSync } from 'node:fs';
import { COMPONENT_LABEL, READY_PAGE_TEXT, SITE_LABEL } from '@hostplane/domain';
import { LOCAL_STORAGE_CLASS } from '@hostplane/localstack';
import { KINDS } from '@hostplane/provisioner-k8s';
import { newPassword, runTag, startPanel } from '../tests/support/panel.ts';

const SITES = Number(process.env.BENCH_SITES ?? 20);
const TIMEOUT_MS = 180_000;

function rssKiB(pid: string): number {
  try {
    return Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** RSS of every pod process (cgroup under kubepods) and every containerd shim. */
function nodePodsMiB(): number {
  let kib = 0;
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cgroup = readFileSync(`/proc/${pid}/cgroup`, 'utf8');
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cgroup.includes('/kubepods') || cmd.startsWith('/usr/bin/containerd-shim-runc-v2'))
        kib += rssKiB(pid);
    } catch {
      // exited meanwhile
    }
  }
  return kib / 1024;
}

/** Seconds after `posted` of a timestamp (1 s resolution in Kubernetes objects), '-' when absent. */
const after = (posted: number, at: string | undefined): string =>
  at ? ((Date.parse(at) - posted) / 1000).toFixed(0) : '-';

/**
 * Where a site's time went, from the objects' own timestamps (whole seconds): the Deployment created by
 * the worker, its claim bound, the pod scheduled, the container started, the pod Ready.
 */
// biome-ignore lint/suspicious/noExplicitAny: objects read for their timestamps only
async function phases(admin: any, ns: string, site: string, posted: number): Promise<string> {
  const deployment = await admin.get(KINDS.Deployment, ns, site).catch(() => undefined);
  const pods = await admin
    .list(KINDS.Pod, ns, `${SITE_LABEL}=${site},${COMPONENT_LABEL}=web`)
    .catch(() => []);
  const pod = pods[0];
  const condition = (type: string): string | undefined =>
    // biome-ignore lint/suspicious/noExplicitAny: a pod condition
    pod?.status?.conditions?.find((c: any) => c.type === type)?.lastTransitionTime;
  const started = pod?.status?.containerStatuses?.[0]?.state?.running?.startedAt;
  return [
    `deployment ${after(posted, deployment?.metadata?.creationTimestamp)}`,
    `pod ${after(posted, pod?.metadata?.creationTimestamp)}`,
    `scheduled ${after(posted, condition('PodScheduled'))}`,
    `started ${after(posted, started)}`,
    `ready ${after(posted, condition('Ready'))}`,
  ].join(', ');
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

async function main(): Promise<void> {
  const panel = await startPanel(800_000 + (process.pid % 10_000) * 100, {
    storage: { storageClass: LOCAL_STORAGE_CLASS, siteVolumeSize: '100Mi' },
    publicAddresses: { ipv4: ['127.0.0.1'] },
  });
  await panel.startWorker();
  let customerId: number | undefined;
  try {
    const plan = await panel.http('POST', '/plans', {
      name: `bench-sites-${runTag}`,
      limits: {
        cpu: '16',
        memory: '16Gi',
        storage: '100Gi',
        sites: SITES,
        domains: 1,
        mailboxes: 1,
        mailboxQuota: '1Gi',
        databases: 1,
        backupRetentionDays: 3,
      },
    });
    const customer = await panel.http('POST', '/customers', {
      name: 'Bench Sites',
      email: `bench@${runTag}-sites.test`,
      planId: plan.body.id,
      password: newPassword(),
    });
    if (customer.status !== 201) throw new Error(`POST /customers: ${JSON.stringify(customer.body)}`);
    customerId = customer.body.id as number;
    const ns = `cust-${customerId}`;
    const baseline = nodePodsMiB();
    const seconds: number[] = [];
    const started = Date.now();
    for (let i = 0; i < SITES; i++) {
      const name = `s${i}`;
      const posted = Date.now();
      const res = await panel.http('POST', `/customers/${customerId}/sites`, { name, template: 'static' });
      if (res.status !== 201) throw new Error(`POST site ${name}: ${JSON.stringify(res.body)}`);
      for (;;) {
        if (Date.now() - posted > TIMEOUT_MS)
          throw new Error(`site ${name}: no HTTP 200 in ${TIMEOUT_MS} ms`);
        // biome-ignore lint/suspicious/noExplicitAny: the Service object, read for its ClusterIP
        const service: any = await panel.admin.get(KINDS.Service, ns, name).catch(() => undefined);
        if (service?.spec?.clusterIP) {
          const answer = await fetch(`http://${service.spec.clusterIP}/`, {
            signal: AbortSignal.timeout(2_000),
          })
            .then(async (r) => (r.status === 200 ? r.text() : ''))
            .catch(() => '');
          if (answer.includes(READY_PAGE_TEXT)) break;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      seconds.push((Date.now() - posted) / 1000);
      const where = await phases(panel.admin, ns, name, posted);
      console.log(
        `site ${name}: POST → HTTP 200 in ${seconds.at(-1)?.toFixed(1)} s (s after POST: ${where})`,
      );
    }
    const minutes = (Date.now() - started) / 60_000;
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    const perSite = (nodePodsMiB() - baseline) / SITES;
    const sorted = [...seconds].sort((a, b) => a - b);
    console.log('\n| figure | value |\n|---|---|');
    console.log(`| static sites, POST → HTTP 200 (p50) | ${percentile(sorted, 50).toFixed(1)} s |`);
    console.log(`| static sites, POST → HTTP 200 (p99) | ${percentile(sorted, 99).toFixed(1)} s |`);
    console.log(`| sites per minute to HTTP 200 (one after the other) | ${(SITES / minutes).toFixed(1)} |`);
    console.log(`| resident memory per static site (containers + shim) | ${perSite.toFixed(1)} MiB |`);
  } finally {
    if (customerId) {
      await panel.http('DELETE', `/customers/${customerId}`);
      await panel.admin.delete(KINDS.Namespace, null, `cust-${customerId}`).catch(() => undefined);
    }
    await panel.close();
  }
}

try {
  await main();
} catch (err) {
  console.error(`bench:sites: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
}
