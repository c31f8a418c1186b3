// `hostplane bootstrap --config F (--render DIR | --apply)`: the system namespaces of DESIGN.md §1.
// --render writes numbered manifests (01-storage-system.yaml …); --apply applies them in order through
// the Kubernetes client (KUBECONFIG), waiting for each namespace's workloads before the next.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type BootstrapConfig, parseBootstrapConfig, renderBootstrap, stepToYaml } from '@hostplane/platform';
import { KubeHttpClient } from '@hostplane/provisioner-k8s';
import { parse } from 'yaml';
import { z } from 'zod';
import { applyBootstrap } from '../bootstrap/apply.ts';
import type { Invocation } from '../program.ts';

const USAGE =
  'usage: hostplane bootstrap --config F (--render DIR | --apply [--kubeconfig K] [--timeout SECONDS])';

const argsSchema = z
  .object({
    config: z.string({ message: '--config F is required' }).min(1),
    render: z.string().min(1).optional(),
    apply: z.boolean().default(false),
    kubeconfig: z.string().min(1).optional(),
    timeout: z.coerce.number().int().min(1).max(7200).default(600),
  })
  .refine((a) => (a.render === undefined) !== !a.apply, {
    message: 'give exactly one of --render DIR and --apply',
  });

export type BootstrapArgs = z.infer<typeof argsSchema>;

/** The options commander read, checked together (exactly one of --render and --apply, a numeric timeout). */
export function bootstrapArgs(
  options: Omit<Extract<Invocation, { command: 'bootstrap' }>, 'command'>,
): BootstrapArgs {
  const { output: _, ...raw } = options;
  const defined = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined));
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

export async function run(invocation: Extract<Invocation, { command: 'bootstrap' }>): Promise<number> {
  const json = invocation.output === 'json';
  let args: BootstrapArgs;
  let config: BootstrapConfig;
  try {
    args = bootstrapArgs(invocation);
    config = loadBootstrapConfig(args.config);
  } catch (error) {
    process.stderr.write(`hostplane bootstrap: ${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (args.render !== undefined) {
    const files = renderTo(args.render, config);
    process.stdout.write(
      json ? `${JSON.stringify({ rendered: files }, null, 2)}\n` : files.map((f) => `${f}\n`).join(''),
    );
    return 0;
  }
  const kubeconfig = args.kubeconfig ?? process.env.KUBECONFIG;
  if (!kubeconfig) {
    process.stderr.write('hostplane bootstrap: --apply needs KUBECONFIG or --kubeconfig\n');
    return 2;
  }
  const kube = KubeHttpClient.fromKubeconfigFile(kubeconfig);
  try {
    const results = await applyBootstrap(kube, renderBootstrap(config), {
      timeoutMs: args.timeout * 1000,
      // With --output json, stdout carries the JSON document alone; progress goes to stderr.
      progress: (line) => (json ? process.stderr : process.stdout).write(`${line}\n`),
    });
    const changed = results.reduce((sum, r) => sum + r.applied.length, 0);
    process.stdout.write(
      json
        ? `${JSON.stringify({ applied: changed, namespaces: results }, null, 2)}\n`
        : `bootstrap done: ${changed} object(s) applied, ${results.length} namespaces ready\n`,
    );
    return 0;
  } catch (error) {
    process.stderr.write(`hostplane bootstrap: ${(error as Error).message}\n`);
    return 1;
  } finally {
    await kube.close();
  }
}
