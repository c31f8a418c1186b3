// The cluster's DNS, mail, webmail and mail/DNS entry points on the real node (issues 13, 14, 17), with
// ONE install: the production dns, mail (webmail included) and ingress steps of `hostplane bootstrap`
// (same renderer, same images: `hostplane images build --only
// pdns,postfix,dovecot,rspamd,dkim-sync,redis,mariadb,panel,webmail,traefik`) applied onto the node and
// waited for as `bootstrap --apply` does, Traefik's entry points bound on the node by hostPorts
// (bootstrap.edge.hostPorts, not the stack's own edge/mail ports), then uninstalled once at the end.
// The suites are registered from tests/mail-cluster/ (each with its own customer, mail domain and
// mailboxes): mail-dns (issue 14), webmail (issue 17), edge-entrypoints (issue 13).
import { afterAll, beforeAll, expect } from 'vitest';
import { EDGE_HOST_PORTS, edgeEntrypointsSuite } from './mail-cluster/edge-entrypoints.ts';
import { mailDnsSuite } from './mail-cluster/mail-dns.ts';
import { webmailSuite } from './mail-cluster/webmail.ts';
import { installMailCluster, type MailCluster } from './support/mail-cluster.ts';

const SLOW = 900_000;
const figures: Record<string, number> = {};
let cluster: MailCluster | undefined;

/** The installed cluster, for the suites' hooks and cases (they run after beforeAll). */
function installed(): MailCluster {
  if (!cluster) throw new Error('the system steps are not installed');
  return cluster;
}

beforeAll(async () => {
  const started = Date.now();
  cluster = await installMailCluster({
    steps: ['dns', 'mail', 'ingress'],
    bootstrap: { edge: { serviceType: 'ClusterIP', hostPorts: EDGE_HOST_PORTS } },
  });
  expect(cluster.steps.map((s) => s.namespace)).toEqual(['dns-system', 'mail-system', 'ingress-system']);
  figures.dnsMailIngressReadySeconds = cluster.readySeconds;
  figures.installSeconds = (Date.now() - started) / 1000;
}, SLOW);

afterAll(async () => {
  const started = Date.now();
  // Everything the steps created goes, namespaces included, before the next file (tests/install.node
  // must not meet them terminating); the stack's own mail-system keeps working through its host processes.
  if (cluster) await cluster.uninstall();
  figures.uninstallSeconds = (Date.now() - started) / 1000;
  process.stdout.write(`mail-cluster figures: ${JSON.stringify(figures)}\n`);
}, SLOW);

mailDnsSuite(installed);
webmailSuite(installed);
edgeEntrypointsSuite(installed);
