// The worker's watch on sites' workloads: client-node informers (list, then watch from the list's
// resourceVersion; a 410 Gone relists) on the web Deployments and the web/database pods of sites in
// every namespace, label-selected. Each event goes through the pure rule of @hostplane/domain
// (workloadChangeMatters): only a change the site status reads asks for the customer's pass.
// A watch that fails (apiserver restarted, connection reset, 403 while RBAC settles) is reported and
// started again after a backoff (1 s doubling to 30 s); its restart resumes from the last
// resourceVersion, or relists when that expired.
import {
  customerOfWorkload,
  SITE_DEPLOYMENT_SELECTOR,
  SITE_POD_SELECTOR,
  type WatchedWorkload,
  type WatchedWorkloadKind,
  type WorkloadEvent,
  workloadChangeMatters,
  workloadSignal,
} from '@hostplane/domain';
import type { ChangeFeed, ChangeSink } from '@hostplane/reconcile';
import {
  AppsV1Api,
  CoreV1Api,
  type Informer,
  KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
  makeInformer,
} from '@kubernetes/client-node';

export interface SiteWorkloadWatchSettings {
  /** Path of a kubeconfig (KUBECONFIG locally); absent inside a pod: the service account's token. */
  kubeconfig?: string;
  /** First restart delay after a failure, doubled per consecutive failure; default 1 s. */
  restartBaseMs?: number;
  /** Longest restart delay; default 30 s. */
  restartCapMs?: number;
}

type ListFn = () => Promise<KubernetesListObject<KubernetesObject>>;

const keyOf = (object: KubernetesObject) =>
  `${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;

/** One kind: its informer, the signals last seen per object, restarts with backoff. */
class KindWatch {
  private readonly signals = new Map<string, string>();
  private synced = false;
  private stopped = true;
  private failures = 0;
  private retry: NodeJS.Timeout | undefined;
  private readonly informer: Informer<KubernetesObject>;

  constructor(
    private readonly kind: WatchedWorkloadKind,
    kc: KubeConfig,
    path: string,
    list: ListFn,
    selector: string,
    private readonly sink: ChangeSink,
    private readonly backoff: { baseMs: number; capMs: number },
  ) {
    // The list goes through here first: its objects are compared with what was known before the
    // informer replays them as ADD/UPDATE events (which then compare equal and ask for nothing).
    const listed: ListFn = async () => {
      const result = await list();
      this.takeList(result.items);
      // The informer opens its watch from this list's resourceVersion right after: nothing is missed.
      if (!this.stopped) this.sink.synced(this.kind);
      return result;
    };
    this.informer = makeInformer(kc, path, listed, selector);
    this.informer.on('add', (object) => this.observe('changed', object));
    this.informer.on('update', (object) => this.observe('changed', object));
    this.informer.on('delete', (object) => this.observe('deleted', object));
    this.informer.on('error', (err) => this.failed(err));
  }

  private takeList(items: KubernetesObject[]): void {
    this.failures = 0;
    for (const object of items) this.observe('listed', object);
    this.synced = true;
  }

  private observe(event: WorkloadEvent, object: KubernetesObject): void {
    if (this.stopped) return;
    const workload = object as WatchedWorkload;
    const customerId = customerOfWorkload(workload);
    const key = keyOf(object);
    if (customerId === null) {
      this.sink.ignored(this.kind);
      return;
    }
    const signal = workloadSignal(this.kind, workload);
    const known = this.signals.get(key);
    if (event === 'deleted') this.signals.delete(key);
    else this.signals.set(key, signal);
    if (event !== 'listed') this.failures = 0;
    if (workloadChangeMatters(this.kind, event, known, signal, this.synced)) {
      this.sink.changed(customerId, {
        kind: this.kind,
        namespace: object.metadata?.namespace ?? '',
        name: object.metadata?.name ?? '',
      });
    } else if (event !== 'listed') {
      this.sink.ignored(this.kind);
    }
  }

  private failed(err: unknown): void {
    // Stopping aborts the watch request, which the informer reports as an error: not a failure.
    if (this.stopped) return;
    this.failures += 1;
    const delay = Math.min(this.backoff.capMs, this.backoff.baseMs * 2 ** (this.failures - 1));
    this.sink.failed(this.kind, err, delay);
    clearTimeout(this.retry);
    this.retry = setTimeout(() => this.run(), delay);
    this.retry.unref();
  }

  private run(): void {
    if (this.stopped) return;
    // start() lists (when it has no resourceVersion) and opens the watch; its failures come back
    // through the 'error' callback, a rejection here only when the informer itself broke.
    this.informer.start().catch((err: unknown) => this.failed(err));
  }

  start(): void {
    this.stopped = false;
    this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    await this.informer.stop();
  }
}

/** The feed `hostplane serve` gives its worker: sites' Deployments and pods in every cust-* namespace. */
export function siteWorkloadWatch(settings: SiteWorkloadWatchSettings = {}): ChangeFeed {
  const kc = new KubeConfig();
  if (settings.kubeconfig) kc.loadFromFile(settings.kubeconfig);
  else kc.loadFromCluster();
  const apps = kc.makeApiClient(AppsV1Api);
  const core = kc.makeApiClient(CoreV1Api);
  const backoff = { baseMs: settings.restartBaseMs ?? 1_000, capMs: settings.restartCapMs ?? 30_000 };
  let watches: KindWatch[] = [];
  return {
    name: 'site-workloads',
    async start(sink) {
      watches = [
        new KindWatch(
          'Deployment',
          kc,
          '/apis/apps/v1/deployments',
          () => apps.listDeploymentForAllNamespaces({ labelSelector: SITE_DEPLOYMENT_SELECTOR }),
          SITE_DEPLOYMENT_SELECTOR,
          sink,
          backoff,
        ),
        new KindWatch(
          'Pod',
          kc,
          '/api/v1/pods',
          () => core.listPodForAllNamespaces({ labelSelector: SITE_POD_SELECTOR }),
          SITE_POD_SELECTOR,
          sink,
          backoff,
        ),
      ];
      for (const watch of watches) watch.start();
    },
    async stop() {
      await Promise.allSettled(watches.map((w) => w.stop()));
    },
  };
}
