// `hostplane bootstrap (--config F | --local) (--render DIR | --apply | --diff | status)`: the system
// namespaces of DESIGN.md §1. --render writes numbered manifests (01-storage-system.yaml …); --apply
// applies them in order through the Kubernetes client (KUBECONFIG), waiting for each namespace's
// workloads before the next; --diff lists what an --apply would write; `status` shows each step's
// state. --local installs onto the local stack's real node with a config derived from the stack.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { KubeObject } from '@hostplane/domain';
import {
  edge,
  forgetInCluster,
  inClusterState,
  loadImagesIntoNode,
  localBootstrapConfigInput,
  localKubeconfig,
  localMailTlsSecret,
  localPanelUrl,
  localSftpHostKeyObjects,
  nodeProfile,
  recordInCluster,
  resolveStateDir,
  stackDown,
  stackUp,
} from '@hostplane/localstack';
import { loadStackEnv } from '@hostplane/localstack/stack-env';
import {
  type BootstrapConfig,
  type BootstrapStep,
  parseBootstrapConfig,
  renderBootstrap,
  stepToYaml,
} from '@hostplane/platform';
import { KINDS, KubeHttpClient } from '@hostplane/provisioner-k8s';
import { parse } from 'yaml';
import { z } from 'zod';
import { applyBootstrap, bootstrapStatus, diffBootstrap } from '../bootstrap/apply.ts';
import { asMember } from '../bootstrap/applyset.ts';
import { checkPrerequisites } from '../bootstrap/prerequisites.ts';
import { uninstallBootstrap } from '../bootstrap/uninstall.ts';
import type { Invocation } from '../program.ts';

const USAGE =
  'usage: hostplane bootstrap (--config F | --local) (--render DIR | --apply | --diff | --uninstall | status) [--kubeconfig K] [--timeout SECONDS]';

const argsSchema = z
  .object({
    config: z.string().min(1).optional(),
    local: z.boolean().default(false),
    render: z.string().min(1).optional(),
    apply: z.boolean().default(false),
    diff: z.boolean().default(false),
    uninstall: z.boolean().default(false),
    status: z.boolean().default(false),
    kubeconfig: z.string().min(1).optional(),
    timeout: z.coerce.number().int().min(1).max(7200).default(600),
  })
  .refine((a) => (a.config === undefined) !== !a.local, {
    message: '--config F is required (or --local for the local stack)',
  })
  .refine(
    (a) => [a.render !== undefined, a.apply, a.diff, a.uninstall, a.status].filter(Boolean).length === 1,
    { message: 'give exactly one of --render DIR, --apply, --diff, --uninstall and status' },
  );

export type BootstrapArgs = z.infer<typeof argsSchema>;

/** The options commander read, checked together (exactly one mode, a numeric timeout). */
export function bootstrapArgs(
  options: Omit<Extract<Invocation, { command: 'bootstrap' }>, 'command'>,
): BootstrapArgs {
  const { output: _, ...raw } = options;
  const defined = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined && v !== false));
  const parsed = argsSchema.safeParse(defined);
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => i.message).join('; '));
  return parsed.data;
}

/** YAML or JSON (JSON is YAML), validated by the platform's schema. */
export function loadBootstrapConfig(file: string): BootstrapConfig {
  return parseBootstrapConfig(parse(readFileSync(file, 'utf8')));
}

export function renderTo(dir: string, config: BootstrapConfig): string[] {
  mkdirSync(dir, { recursive: true });
  return renderBootstrap(config).map((step) => {
    const file = path.join(dir, step.file);
    // Secrets are inside (base64): readable by the owner only.
    writeFileSync(file, stepToYaml(step), { mode: 0o600 });
    return file;
  });
}

/** Prerequisites of the local install: a running real node (kwok's fake node runs no pods). */
function checkLocal(): void {
  if (nodeProfile() !== 'real')
    throw new Error(
      'bootstrap --local installs onto the real node: run with HOSTPLANE_STACK_NODE=real (stack up and this command)',
    );
}

async function applyLocal(
  kube: KubeHttpClient,
  steps: BootstrapStep[],
  config: BootstrapConfig,
  timeoutMs: number,
  progress: (line: string) => void,
) {
  const stateDir = resolveStateDir();
  // The images the pods run are imported from the cache (`images build`), never pulled.
  await loadImagesIntoNode(stateDir, progress);
  // The edge becomes the in-cluster Traefik (hostPorts at HTTP_ADDR/HTTPS_ADDR): the host process goes.
  if (!inClusterState(stateDir)) {
    await stackDown({ stateDir, only: [edge], say: progress });
  }
  recordInCluster(stateDir, { edge: 'in-cluster', panelUrl: localPanelUrl(config.bootstrap.hosts.panel) });
  // What an operator makes by hand before a production install: the SFTP gateway's host keys, and the
  // mail host's certificate (Postfix and Dovecot mount the Secret mail-tls; locally from the stack CA).
  const stepOf = (ns: string) => {
    const step = steps.find((s) => s.objects.some((o) => o.kind === 'Namespace' && o.metadata.name === ns));
    const namespace = step?.objects.find((o) => o.kind === 'Namespace' && o.metadata.name === ns);
    // Made here on the step's behalf: a member of its ApplySet, so --uninstall removes it.
    return step && namespace ? asMember(step, namespace) : undefined;
  };
  const ahead: [KubeObject, KubeObject][] = [];
  const panelNamespace = stepOf(config.panelIdentity.namespace);
  if (panelNamespace)
    ahead.push(
      localSftpHostKeyObjects(stateDir, panelNamespace, config.bootstrap.sftp.hostKeySecret) as [
        KubeObject,
        KubeObject,
      ], // a Namespace and a Secret, built from plain fields
    );
  const mailNamespace = stepOf('mail-system');
  if (mailNamespace) ahead.push([mailNamespace, await localMailTlsSecret(stateDir)]);
  for (const [namespace, secret] of ahead) {
    // Created only when missing: the steps own the Namespace (re-applying it here would drop their
    // fields, and the second --apply would find it changed).
    if (!(await kube.get(KINDS.Namespace, null, namespace.metadata.name))) await kube.apply(namespace);
    await kube.apply(secret);
  }
  return applyBootstrap(kube, steps, { timeoutMs, progress, pruneDroppedSteps: true, available: true });
}

export async function run(invocation: Extract<Invocation, { command: 'bootstrap' }>): Promise<number> {
  const json = invocation.output === 'json';
  let args: BootstrapArgs;
  let config: BootstrapConfig;
  try {
    args = bootstrapArgs(invocation);
    if (args.local) checkLocal();
    config = args.local
      ? parseBootstrapConfig(localBootstrapConfigInput(resolveStateDir()))
      : loadBootstrapConfig(args.config!);
  } catch (error) {
    process.stderr.write(`hostplane bootstrap: ${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const steps = renderBootstrap(config);
  if (args.render !== undefined) {
    const files = renderTo(args.render, config);
    process.stdout.write(
      json ? `${JSON.stringify({ rendered: files }, null, 2)}\n` : files.map((f) => `${f}\n`).join(''),
    );
    return 0;
  }
  const kubeconfig =
    args.kubeconfig ?? (args.local ? localKubeconfig(resolveStateDir()) : process.env.KUBECONFIG);
  if (!kubeconfig) {
    process.stderr.write('hostplane bootstrap: needs KUBECONFIG or --kubeconfig\n');
    return 2;
  }
  const kube = KubeHttpClient.fromKubeconfigFile(kubeconfig);
  // With --output json, stdout carries the JSON document alone; progress goes to stderr.
  const progress = (line: string) => (json ? process.stderr : process.stdout).write(`${line}\n`);
  try {
    if (args.diff) {
      const diffs = await diffBootstrap(kube, steps, { pruneDroppedSteps: true });
      if (json) process.stdout.write(`${JSON.stringify({ steps: diffs }, null, 2)}\n`);
      else
        for (const d of diffs) {
          process.stdout.write(`${d.file}: ${d.changes.length} to write, ${d.unchanged} unchanged\n`);
          for (const change of d.changes) process.stdout.write(`  ${change}\n`);
        }
      return 0;
    }
    if (args.uninstall) {
      const removals = await uninstallBootstrap(kube, steps, { timeoutMs: args.timeout * 1000, progress });
      if (args.local) {
        // The host edge comes back at HTTP_ADDR/HTTPS_ADDR, PANEL_URL leaves `stack env`.
        const stateDir = resolveStateDir();
        forgetInCluster(stateDir);
        await stackUp({ stateDir, say: progress });
        const httpAddr = loadStackEnv().HTTP_ADDR;
        if (httpAddr) await hostEdgeAnswers(httpAddr, args.timeout * 1000);
      }
      const deleted = removals.reduce((n, r) => n + r.deleted.length, 0);
      process.stdout.write(
        json
          ? `${JSON.stringify({ deleted, steps: removals }, null, 2)}\n`
          : `bootstrap removed: ${deleted} object(s) deleted${args.local ? '; the host edge is back' : ''}\n`,
      );
      return 0;
    }
    if (args.status) {
      const statuses = await bootstrapStatus(kube, steps);
      if (json) process.stdout.write(`${JSON.stringify({ steps: statuses }, null, 2)}\n`);
      else
        for (const s of statuses) {
          process.stdout.write(
            `${s.file.padEnd(24)} ${s.state.padEnd(13)} ${s.present}/${s.total} objects\n`,
          );
          for (const w of s.workloads)
            process.stdout.write(`  ${w.ready ? 'ready  ' : 'waiting'} ${w.replicas.padEnd(5)} ${w.name}\n`);
        }
      return statuses.every((s) => s.state === 'Ready') ? 0 : 1;
    }
    const timeoutMs = args.timeout * 1000;
    // Nothing is written to a cluster that lacks what the steps need.
    const problems = await checkPrerequisites(kube, steps);
    if (problems.length > 0) {
      process.stderr.write(
        `hostplane bootstrap: the cluster is not ready for this install:\n${problems.map((p) => `  - ${p}\n`).join('')}`,
      );
      return 3;
    }
    const results = args.local
      ? await applyLocal(kube, steps, config, timeoutMs, progress)
      : await applyBootstrap(kube, steps, { timeoutMs, progress, pruneDroppedSteps: true, available: true });
    const changed = results.reduce((sum, r) => sum + r.applied.length, 0);
    const panelUrl = args.local ? inClusterState(resolveStateDir())?.panelUrl : undefined;
    process.stdout.write(
      json
        ? `${JSON.stringify({ applied: changed, namespaces: results, ...(panelUrl ? { panelUrl } : {}) }, null, 2)}\n`
        : `bootstrap done: ${changed} object(s) applied, ${results.length} namespaces ready${panelUrl ? `; PANEL_URL=${panelUrl}` : ''}\n`,
    );
    return 0;
  } catch (error) {
    process.stderr.write(`hostplane bootstrap: ${(error as Error).message}\n`);
    return 1;
  } finally {
    await kube.close();
  }
}

/**
 * "The host edge is back" is said once its web entry point answers (any HTTP status): `stack up` waits
 * for Traefik's ping endpoint, and a caller's first request may come a moment before the entry point.
 */
async function hostEdgeAnswers(httpAddr: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answered = await fetch(`http://${httpAddr}/`, { signal: AbortSignal.timeout(2_000) }).then(
      async (res) => {
        await res.body?.cancel();
        return true;
      },
      () => false,
    );
    if (answered) return;
    if (Date.now() > deadline) throw new Error(`the host edge does not answer at ${httpAddr}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
