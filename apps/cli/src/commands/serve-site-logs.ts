// The API's SiteLogs port on Kubernetes: pods/log of a site's web pods, listed by the site's labels
// in the customer's own namespace only (cust-{id}); works with a kubeconfig and in-cluster alike.
import { open, stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { SiteLogQuery, SiteLogs } from '@hostplane/api';
import {
  COMPONENT_LABEL,
  edgeLogLine,
  type LogWindow,
  newestLines,
  parseTimestampedLine,
  SITE_LABEL,
  tenantNamespace,
} from '@hostplane/domain';
import { KINDS, KubeHttpClient } from '@hostplane/provisioner-k8s';

type Line = Awaited<ReturnType<SiteLogs['read']>>[number];

interface Pod {
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: { containers?: { name: string }[] };
  status?: { containerStatuses?: { name: string; state?: { running?: object; terminated?: object } }[] };
}

/** How often a followed site's pods are listed again, so the pods of a rollout join the stream. */
const FOLLOW_RELIST_MS = 3_000;
/** Lines held for a client that reads slower than the site writes; the oldest go first. */
const FOLLOW_BUFFER_LINES = 10_000;

function podsOf(kube: KubeHttpClient, customerId: number, site: string): Promise<Pod[]> {
  const namespace = tenantNamespace(customerId);
  return kube.list(KINDS.Pod, namespace, `${SITE_LABEL}=${site},${COMPONENT_LABEL}=web`).then((pods) =>
    (pods as unknown as Pod[]).filter(
      // The selector already says so; a pod of another site or namespace never gets read.
      (p) => (p.metadata.namespace ?? namespace) === namespace && p.metadata.labels?.[SITE_LABEL] === site,
    ),
  );
}

function containersOf(pod: Pod, only: string | undefined): string[] {
  return (pod.spec?.containers ?? []).map((c) => c.name).filter((name) => !only || name === only);
}

function started(pod: Pod, container: string): boolean {
  const state = pod.status?.containerStatuses?.find((s) => s.name === container)?.state;
  return Boolean(state?.running ?? state?.terminated);
}

function windowQuery(query: SiteLogQuery) {
  return { tailLines: query.tail, ...query.window };
}

/** How much of the end of the edge's access log a read looks at (the newest entries). */
const EDGE_READ_BYTES = 8 * 1024 * 1024;
const EDGE_POLL_MS = 1_000;
const EDGE = 'edge';

function inWindow(time: string, window: LogWindow, now: number): boolean {
  if ('sinceSeconds' in window) return Date.parse(time) >= now - window.sinceSeconds * 1000;
  if ('sinceTime' in window) return time >= window.sinceTime;
  return true;
}

function wantsEdge(query: SiteLogQuery): boolean {
  return query.hosts.length > 0 && (!query.container || query.container === EDGE);
}

async function readRange(file: string, start: number, end: number): Promise<string> {
  if (end <= start) return '';
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(end - start);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, start);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}

/**
 * The edge's JSON access log (Traefik's accessLog.filePath, EDGE_ACCESS_LOG): the site's entries,
 * those of the customer's own routers for the site's hosts. `from`: the byte offset reached.
 */
async function edgeLines(
  file: string,
  customerId: number,
  query: SiteLogQuery,
  from?: number,
): Promise<{ lines: Line[]; offset: number }> {
  const size = await stat(file).then(
    (s) => s.size,
    () => 0,
  );
  // A rotated or truncated log starts again from its beginning.
  const start = from === undefined ? Math.max(0, size - EDGE_READ_BYTES) : from > size ? 0 : from;
  const text = await readRange(file, start, size);
  // Only whole lines: a partial last line is read again at the next poll.
  const complete = text.lastIndexOf('\n') + 1;
  const raws = text.slice(0, complete).split('\n');
  if (from === undefined && start > 0) raws.shift(); // the first line of a tail read is cut
  const now = Date.now();
  const lines = raws.flatMap((raw) => {
    const line = edgeLogLine(raw, customerId, query.hosts);
    return line && inWindow(line.time, query.window, now) ? [{ ...line, pod: EDGE, container: EDGE }] : [];
  });
  return { lines, offset: start + Buffer.byteLength(text.slice(0, complete)) };
}

/** Lines pushed by several log streams, pulled one at a time; `next()` is undefined once aborted. */
class LineQueue {
  private readonly lines: Line[] = [];
  private waiter: ((line: Line | undefined) => void) | null = null;

  constructor(private readonly signal: AbortSignal) {
    signal.addEventListener('abort', () => this.wake(undefined), { once: true });
  }

  push(line: Line): void {
    if (this.waiter) {
      this.wake(line);
      return;
    }
    this.lines.push(line);
    if (this.lines.length > FOLLOW_BUFFER_LINES) this.lines.shift();
  }

  next(): Promise<Line | undefined> {
    if (this.signal.aborted) return Promise.resolve(undefined);
    const line = this.lines.shift();
    if (line) return Promise.resolve(line);
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }

  private wake(line: Line | undefined): void {
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.(line);
  }
}

/** `edgeAccessLog`: the edge's JSON access log file, when the panel can read it (the local stack). */
export function siteLogsOf(
  access: { kubeconfig?: string },
  options: { edgeAccessLog?: string } = {},
): SiteLogs {
  const edgeFile = options.edgeAccessLog;
  const kube = access.kubeconfig
    ? KubeHttpClient.fromKubeconfigFile(access.kubeconfig)
    : KubeHttpClient.inCluster();
  return {
    async read(customerId, site, query) {
      const namespace = tenantNamespace(customerId);
      const pods = query.container === EDGE ? [] : await podsOf(kube, customerId, site);
      const edge = edgeFile && wantsEdge(query) ? (await edgeLines(edgeFile, customerId, query)).lines : [];
      const reads = pods.flatMap((pod) =>
        containersOf(pod, query.container).map(async (container) => {
          // A container not started yet has no log (the apiserver answers 400): no lines.
          const text = await kube
            .podLog(namespace, pod.metadata.name, { container, timestamps: true, ...windowQuery(query) })
            .catch(() => '');
          return text.split('\n').flatMap((raw) => {
            const line = parseTimestampedLine(raw);
            return line ? [{ ...line, pod: pod.metadata.name, container }] : [];
          });
        }),
      );
      return newestLines([...edge, ...(await Promise.all(reads)).flat()], query.tail);
    },

    async *follow(customerId, site, query, signal) {
      const namespace = tenantNamespace(customerId);
      const queue = new LineQueue(signal);
      const attached = new Set<string>();
      let first = true;
      const attach = async () => {
        const pods = query.container === EDGE ? [] : await podsOf(kube, customerId, site);
        for (const pod of pods)
          for (const container of containersOf(pod, query.container)) {
            const key = `${pod.metadata.name}/${container}`;
            if (attached.has(key) || !started(pod, container)) continue;
            attached.add(key);
            // The pods there at the start give their recent lines; a pod that comes later, all of its own.
            const window = first ? windowQuery(query) : { tailLines: query.tail };
            kube
              .podLogStream(namespace, pod.metadata.name, { container, timestamps: true, ...window }, signal)
              .then((stream) => {
                const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
                lines.on('line', (raw) => {
                  const line = parseTimestampedLine(raw);
                  if (line) queue.push({ ...line, pod: pod.metadata.name, container });
                });
                // An aborted follow ends its streams with an error, re-emitted by readline: the end.
                stream.on('error', () => lines.close());
                lines.on('error', () => lines.close());
              })
              // Not readable yet (or gone): tried again at the next listing.
              .catch(() => attached.delete(key));
          }
        first = false;
      };
      // The first reads before any timer: a failure here ends the stream and leaves nothing running.
      await attach();
      const edgeFirst = edgeFile && wantsEdge(query) ? await edgeLines(edgeFile, customerId, query) : null;
      const relist = setInterval(() => {
        if (!signal.aborted) attach().catch(() => undefined);
      }, FOLLOW_RELIST_MS);
      let edgePoll: NodeJS.Timeout | undefined;
      if (edgeFile && edgeFirst) {
        for (const line of newestLines(edgeFirst.lines, query.tail)) queue.push(line);
        let offset = edgeFirst.offset;
        let polling = false;
        edgePoll = setInterval(() => {
          if (signal.aborted || polling) return;
          polling = true;
          edgeLines(edgeFile, customerId, { ...query, window: {} }, offset)
            .then((next) => {
              offset = next.offset;
              for (const line of next.lines) queue.push(line);
            })
            .catch(() => undefined)
            .finally(() => {
              polling = false;
            });
        }, EDGE_POLL_MS);
      }
      try {
        for (;;) {
          const line = await queue.next();
          if (!line) return;
          yield line;
        }
      } finally {
        clearInterval(relist);
        clearInterval(edgePoll);
      }
    },
  };
}
