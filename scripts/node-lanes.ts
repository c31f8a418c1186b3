// How phase 2 of `npm test` spreads the node files (real containers) over lanes (three by default) that
// run at the same time on the one real node (scripts/test-node.ts): pure, tested in node-lanes.test.ts.
//
// Most node files make their own customers and share nothing but the node, so two of them can run at
// once: most of their time is waiting for containers, probes, Velero and mail. Some cannot:
// - files that install the same cluster-wide things share a group and go to the same lane, one after
//   the other (Velero in backup-system; the production dns, mail and ingress steps);
// - files that take the node for themselves run alone, after the lanes: `bootstrap --local` moves the
//   web entry points from the stack's Traefik to the cluster's; two files restart the node (containerd,
//   kubelet, kube-proxy, netpol), which would fail the other lane's requests and probes.

/** Files (paths relative to the repository) that must run with no other node file at the same time. */
export const ALONE: readonly string[] = [
  'tests/install.node.test.ts',
  'tests/network-isolation.node.test.ts',
  'tests/real-node.node.test.ts',
];

/** Files that touch the same cluster-wide objects: each group stays in one lane. */
export const GROUPS: Readonly<Record<string, readonly string[]>> = {
  // deployVelero (tests/support/velero-node.ts) applies one backup-system and kills its node agent.
  velero: ['tests/backup-volumes.node.test.ts', 'tests/backup-restore.node.test.ts'],
  // The production dns-system, mail-system and ingress-system steps (mail-cluster: all three, installed
  // once for its suites under tests/mail-cluster/; platform-maildir: a subset of mail-system), applied
  // and uninstalled by each file.
  'system-steps': ['tests/mail-cluster.node.test.ts', 'tests/platform-maildir.node.test.ts'],
};

/**
 * Seconds each file takes, the mean of two full runs on two cores (2026-11-28: one on a quiet machine,
 * one beside four other test runs); a file not listed weighs DEFAULT_SECONDS. Only the balance of the
 * lanes depends on these.
 */
export const SECONDS: Readonly<Record<string, number>> = {
  // dns + mail + ingress + panel since issue 14's mail/DNS/delete case: 282 s (2026-11-28, one run; was 162).
  // + backup + monitoring (localfull): one run at load average 30–44 took ~21 min, most of it the
  // beforeAll re-apply under that load; not yet measured on a quiet machine, weight kept.
  'tests/install.node.test.ts': 282,
  'tests/wordpress.node.test.ts': 137,
  'tests/site-runtime.node.test.ts': 132,
  'tests/network-isolation.node.test.ts': 128,
  // One install for the mail-dns, webmail and edge-entrypoints suites (were 190 + 270 + 194 s as three
  // files): 309 s in one run (2026-11-28, load average 5–7), not yet a mean of two full runs.
  'tests/mail-cluster.node.test.ts': 310,
  'tests/site-logs.node.test.ts': 89,
  'tests/backup-restore.node.test.ts': 98,
  'tests/real-node.node.test.ts': 49,
  // 64 MiB in the kill case and the retry's progress no longer waiting for the resync: 176 s and 129 s
  // of tests in two runs at load average 18–23 (was 401 s with 300 MiB), 2026-11-28 (ciperf).
  'tests/backup-volumes.node.test.ts': 155,
  'tests/platform-maildir.node.test.ts': 42,
  'tests/sftp.node.test.ts': 38,
  'tests/cluster-dns.node.test.ts': 6,
  'tests/node-disk.node.test.ts': 2,
};
export const DEFAULT_SECONDS = 60;

/**
 * Lanes at once. The node files mostly wait (containers, probes, Velero, mail), so three lanes on two
 * cores finish sooner than two; the Velero group alone is about a third of the lanes' time.
 */
export const DEFAULT_LANES = 3;

export interface NodeLanes {
  /** Lists of files, each run by one vitest process, all at the same time. */
  lanes: string[][];
  /** Files run one at a time after the lanes. */
  alone: string[];
}

/**
 * Splits the node files into `count` lanes of about equal time (greedy, longest unit first) and the files
 * that run alone. A group is one unit, its files in name order; a lane runs its longest units first.
 */
export function planNodeLanes(files: readonly string[], count = DEFAULT_LANES): NodeLanes {
  const sorted = [...files].sort();
  const alone = sorted.filter((f) => ALONE.includes(f));
  const units: string[][] = [];
  const grouped = new Set<string>();
  for (const members of Object.values(GROUPS)) {
    const present = sorted.filter((f) => members.includes(f) && !alone.includes(f));
    for (const f of present) grouped.add(f);
    if (present.length > 0) units.push(present);
  }
  for (const f of sorted) if (!alone.includes(f) && !grouped.has(f)) units.push([f]);
  const weight = (unit: string[]) => unit.reduce((s, f) => s + (SECONDS[f] ?? DEFAULT_SECONDS), 0);
  units.sort((a, b) => weight(b) - weight(a) || a[0]!.localeCompare(b[0]!));
  const lanes: string[][] = Array.from({ length: Math.max(1, count) }, () => []);
  const totals = lanes.map(() => 0);
  for (const unit of units) {
    const i = totals.indexOf(Math.min(...totals));
    lanes[i]!.push(...unit);
    totals[i]! += weight(unit);
  }
  return { lanes, alone };
}
