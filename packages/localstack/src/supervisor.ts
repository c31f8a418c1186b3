import { existsSync, readFileSync, rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Component, StackContext } from './component.ts';
import { stackComponents } from './components/index.ts';
import { controlPlaneComponents, kubeComponents, realNodeComponents } from './components/kube.ts';
import { adminKubeConfig } from './components/kube-access.ts';
import { registerFakeNode } from './components/kube-node.ts';
import { buildStackEnv, renderExportLines } from './env.ts';
import type { GoProgram } from './go-program-build.ts';
import { withStateLock } from './lock.ts';
import { nodeProfile, nodeSwitchPlan } from './node-profile.ts';
import { orderComponents, selectComponents } from './order.ts';
import { stackPorts } from './ports.ts';
import {
  isRunning,
  listPidRecords,
  logTail,
  pidFile,
  runningRecord,
  spawnProcess,
  stopProcess,
} from './processes.ts';
import type { StackEnv } from './stack-env.ts';
import type { StatePaths } from './state.ts';
import {
  ensureStateDirs,
  loadOrCreateSecrets,
  repoRoot,
  resolveStateDir,
  statePaths,
  writeFileIfChanged,
} from './state.ts';
import { ensureServiceUser } from './users.ts';

export interface StackOptions {
  /** Default: HOSTPLANE_STACK_DIR or `<repo>/.hostplane/stack`. */
  stateDir?: string;
  /** Default: every component of the stack. */
  components?: readonly Component[];
  say?: (line: string) => void;
  /** How long one component may take to become healthy. Default 120 s (HOSTPLANE_STACK_TIMEOUT_MS). */
  healthTimeoutMs?: number;
  /** Path of the tools/localcluster binary; default: built or taken from the cache by ensureLocalcluster. */
  localclusterBinary?: string;
}

export interface ComponentStatus {
  name: string;
  running: boolean;
  healthy: boolean;
  address: string;
  pids: number[];
}

export interface UpResult {
  alreadyUp: boolean;
  components: Array<{ name: string; address: string; seconds: number; started: boolean }>;
  env: StackEnv;
}

/** A component that did not become healthy; the message carries its log tail. */
export class StackComponentError extends Error {
  constructor(
    readonly component: string,
    message: string,
  ) {
    super(message);
    this.name = 'StackComponentError';
  }
}

/** Every component, or those HOSTPLANE_STACK_ONLY names (a,b) and their dependencies. */
export function defaultComponents(): Component[] {
  const only = process.env.HOSTPLANE_STACK_ONLY?.split(',').filter(Boolean);
  return only?.length ? selectComponents(stackComponents, only) : stackComponents;
}

async function localclusterPath(options: StackOptions, say: (line: string) => void): Promise<string> {
  if (options.localclusterBinary) return options.localclusterBinary;
  const { ensureLocalcluster } = await import('./localcluster-build.ts');
  return (await ensureLocalcluster(say)).binary;
}

/** The object store's binary; built (or taken from the cache) for `up` when the s3 component runs. */
async function versitygwPath(
  components: readonly Component[],
  create: boolean,
  say: (line: string) => void,
): Promise<string> {
  const { cachedGoProgram, ensureGoProgram } = await import('./go-program-build.ts');
  const { versitygwProgram } = await import('./backup-programs.ts');
  const needed = create && components.some((c) => c.name === 's3');
  const build = needed
    ? await ensureGoProgram(versitygwProgram, say)
    : await cachedGoProgram(versitygwProgram);
  return build?.binaries.versitygw ?? 'versitygw';
}

/** Paths of the Go-module programs the selected components run; built (or taken from the cache) for `up`. */
async function goProgramPaths(
  components: readonly Component[],
  create: boolean,
  say: (line: string) => void,
): Promise<{ traefik: string; pebble: string; coredns: string }> {
  const { cachedGoProgram, ensureGoProgram } = await import('./go-program-build.ts');
  const { corednsProgram, pebbleProgram, traefikProgram } = await import('./go-programs.ts');
  const pathOf = async (program: GoProgram): Promise<string> => {
    const needed = create && components.some((c) => c.name === program.name);
    const build = needed ? await ensureGoProgram(program, say) : await cachedGoProgram(program);
    return build?.binaries[program.name] ?? program.name;
  };
  return {
    traefik: await pathOf(traefikProgram),
    pebble: await pathOf(pebbleProgram),
    coredns: await pathOf(corednsProgram),
  };
}

async function contextFor(
  options: StackOptions,
  create: boolean,
): Promise<{ ctx: StackContext; paths: StatePaths } | undefined> {
  const say = options.say ?? ((line: string) => console.log(line));
  const paths = statePaths(resolveStateDir(options.stateDir));
  if (!create && !existsSync(paths.secretsFile)) return undefined;
  ensureStateDirs(paths);
  const secrets = loadOrCreateSecrets(paths);
  const components = options.components ?? defaultComponents();
  const needsCluster = components.some((c) => kubeComponents.includes(c));
  // status/down never build: they only need the component list, not a runnable binary.
  const localcluster =
    create && needsCluster
      ? await localclusterPath(options, say)
      : (options.localclusterBinary ?? 'localcluster');
  const ctx: StackContext = {
    stateDir: paths.stateDir,
    repoRoot,
    ports: stackPorts,
    secrets,
    binaries: {
      localcluster,
      versitygw: await versitygwPath(components, create, say),
      ...(await goProgramPaths(components, create, say)),
    },
    say,
  };
  return { ctx, paths };
}

/**
 * The health of a component whose processes run: like a kubelet's failureThreshold, one probe that
 * times out (a loaded machine: the probes wait 1–1.5 s) is not yet unhealthy; three in a row are.
 * Without it, `stack status` failed and a second `stack up` restarted healthy components under load.
 */
async function runningHealthy(ctx: StackContext, component: Component): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    if (await component.healthy(ctx).catch(() => false)) return true;
    if (attempt === STATUS_PROBE_ATTEMPTS) return false;
    await sleep(250);
  }
}
const STATUS_PROBE_ATTEMPTS = 3;

async function componentStatus(
  ctx: StackContext,
  paths: StatePaths,
  component: Component,
): Promise<ComponentStatus> {
  const records = component.processes(ctx).map((spec) => runningRecord(paths, spec.name));
  if (records.length === 0) {
    // No process of the stack's own (a static pod the kubelet runs): it runs when its check passes.
    const healthy = await component.healthy(ctx).catch(() => false);
    return { name: component.name, running: healthy, healthy, address: component.address(ctx), pids: [] };
  }
  const running = records.every((r) => r !== undefined);
  const healthy = running && (await runningHealthy(ctx, component));
  const pids = records.filter((r) => r !== undefined).map((r) => r.pid);
  return { name: component.name, running, healthy, address: component.address(ctx), pids };
}

function failureMessage(paths: StatePaths, ctx: StackContext, component: Component, reason: string): string {
  const tails = component
    .processes(ctx)
    .map((spec) => `--- ${paths.logsDir}/${spec.name}.log (last lines) ---\n${logTail(paths, spec.name)}`);
  return `${component.name} ${reason}\n${tails.join('\n')}`;
}

async function waitHealthy(
  ctx: StackContext,
  paths: StatePaths,
  component: Component,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const specs = component.processes(ctx);
  for (;;) {
    if (await component.healthy(ctx).catch(() => false)) return;
    const exited = specs.find((spec) => !runningRecord(paths, spec.name));
    if (exited) rmSync(pidFile(paths, exited.name), { force: true }); // it is gone: nothing for `down` to stop
    if (exited)
      throw new StackComponentError(
        component.name,
        failureMessage(paths, ctx, component, `exited (${exited.name})`),
      );
    if (Date.now() > deadline) {
      const reason = `not healthy after ${Math.round(timeoutMs / 1000)} s`;
      throw new StackComponentError(component.name, failureMessage(paths, ctx, component, reason));
    }
    await sleep(250);
  }
}

/** prepare → start the processes that are not running → wait healthy → afterHealthy. */
async function bringUp(ctx: StackContext, paths: StatePaths, component: Component, timeoutMs: number) {
  const started = Date.now();
  const status = await componentStatus(ctx, paths, component);
  if (status.healthy) {
    ctx.say(`✓ ${component.name.padEnd(24)} ${status.address} (already running)`);
    return { name: component.name, address: status.address, seconds: 0, started: false };
  }
  const ownProcesses = component.processes(ctx).length > 0;
  if (
    ownProcesses &&
    !status.running &&
    status.pids.length === 0 &&
    (await component.healthy(ctx).catch(() => false))
  ) {
    // Nothing of ours runs, yet the address answers: another stack (or a system service) holds the port,
    // and starting ours would only fail to bind, or worse, pass its health check against the stranger.
    const reason = `: something this stack did not start already answers on ${status.address} (another stack? see: ss -ltnp)`;
    throw new StackComponentError(component.name, `${component.name}${reason}`);
  }
  await component.prepare(ctx);
  for (const spec of component.processes(ctx)) {
    if (runningRecord(paths, spec.name)) continue;
    rmSync(pidFile(paths, spec.name), { force: true }); // stale: that process is gone
    const ids = spec.user ? await ensureServiceUser(spec.user) : undefined;
    spawnProcess(paths, spec, ids);
  }
  await waitHealthy(ctx, paths, component, timeoutMs);
  await component.afterHealthy?.(ctx);
  const seconds = (Date.now() - started) / 1000;
  ctx.say(`✓ ${component.name.padEnd(24)} ${component.address(ctx)} (${seconds.toFixed(1)} s)`);
  return { name: component.name, address: component.address(ctx), seconds, started: true };
}

function healthTimeout(options: StackOptions): number {
  return options.healthTimeoutMs ?? Number(process.env.HOSTPLANE_STACK_TIMEOUT_MS ?? 120_000);
}

/** A running stack with the other node profile is switched (nodeSwitchPlan) instead of half-started. */
async function switchNode(options: StackOptions): Promise<void> {
  const paths = statePaths(resolveStateDir(options.stateDir));
  if (!existsSync(paths.stateDir)) return;
  const wanted = nodeProfile();
  const running = (name: string) => runningRecord(paths, name) !== undefined;
  const plan = nodeSwitchPlan(
    { kubelet: running('kubelet'), localVolumes: running('local-volumes') },
    wanted,
  );
  if (plan.stop.length === 0) return;
  const say = options.say ?? ((line: string) => console.log(line));
  say(`the running stack has the other node: switching it to ${wanted} (stopping ${plan.stop.join(', ')})`);
  const all = [...new Set([...kubeComponents, ...controlPlaneComponents, ...realNodeComponents])];
  await stackDown({ stateDir: options.stateDir, say, only: all.filter((c) => plan.stop.includes(c.name)) });
  if (plan.untaintFakeNode && running('kube-apiserver')) {
    await registerFakeNode(adminKubeConfig(paths.stateDir), 'kwok');
  }
}

/**
 * Brings every component up in dependency order (independent ones in parallel). A stack that is
 * already up and healthy is left untouched. Throws StackComponentError (with the log tail) when a
 * component fails; the components already started keep running (`stack down` stops them).
 */
export async function stackUp(options: StackOptions = {}): Promise<UpResult> {
  await switchNode(options);
  const { ctx, paths } = (await contextFor(options, true))!;
  const ordered = orderComponents(options.components ?? defaultComponents());
  const env = buildStackEnv(ctx);
  const statuses = await Promise.all(ordered.map((c) => componentStatus(ctx, paths, c)));
  if (statuses.every((s) => s.healthy)) {
    ctx.say(`stack already up in ${paths.stateDir}; nothing to do`);
    for (const s of statuses) ctx.say(`✓ ${s.name.padEnd(24)} ${s.address}`);
    writeFileIfChanged(paths.envFile, `${JSON.stringify(env, null, 2)}\n`, 0o600);
    return {
      alreadyUp: true,
      components: statuses.map((s) => ({ name: s.name, address: s.address, seconds: 0, started: false })),
      env,
    };
  }
  return withStateLock(paths, () => startComponents(ctx, paths, ordered, env, healthTimeout(options)));
}

async function startComponents(
  ctx: StackContext,
  paths: StatePaths,
  ordered: Component[],
  env: StackEnv,
  timeoutMs: number,
): Promise<UpResult> {
  const done = new Map<string, Promise<UpResult['components'][number]>>();
  for (const component of ordered) {
    const deps = component.dependsOn.map((dep) => done.get(dep)!);
    done.set(
      component.name,
      Promise.all(deps).then(() => bringUp(ctx, paths, component, timeoutMs)),
    );
  }
  const settled = await Promise.allSettled(done.values());
  const failures = settled
    .filter((s): s is PromiseRejectedResult => s.status === 'rejected')
    .map((s) => s.reason);
  const firstOwn = failures.find((f) => f instanceof StackComponentError) ?? failures[0];
  if (firstOwn) throw firstOwn;
  writeFileIfChanged(paths.envFile, `${JSON.stringify(env, null, 2)}\n`, 0o600);
  const components = settled.map((s) => (s as PromiseFulfilledResult<UpResult['components'][number]>).value);
  return { alreadyUp: false, components, env };
}

/** Process names in stop order: dependents before their dependencies, unknown leftovers first. */
function stopOrder(ctx: StackContext | undefined, components: readonly Component[]): string[] {
  if (!ctx) return [];
  return orderComponents(components)
    .reverse()
    .flatMap((c) => c.processes(ctx).map((spec) => spec.name));
}

/**
 * Stops exactly the processes this stack started (its pid files), dependents first; `purge` deletes
 * the state folder. With `only`, stops just those components' processes (and keeps env.json).
 */
export async function stackDown(
  options: StackOptions & { purge?: boolean; only?: readonly Component[] } = {},
): Promise<{ stopped: string[] }> {
  const say = options.say ?? ((line: string) => console.log(line));
  const paths = statePaths(resolveStateDir(options.stateDir));
  const found = await contextFor(options, false);
  // The real node is stopped (and cleaned up after) whatever the profile now says: it may have been
  // started under another HOSTPLANE_STACK_NODE.
  const components = options.components ?? [...new Set([...defaultComponents(), ...realNodeComponents])];
  const order = stopOrder(found?.ctx, components);
  const onlyNames =
    options.only && found
      ? new Set(options.only.flatMap((c) => c.processes(found.ctx).map((spec) => spec.name)))
      : undefined;
  if (options.only && options.purge)
    throw new Error('--purge removes the whole state folder: it cannot go with --only');
  if (!existsSync(paths.stateDir)) {
    say(`nothing of the stack is running (${paths.stateDir} does not exist)`);
    return { stopped: [] };
  }
  return withStateLock(paths, async () => {
    const records = listPidRecords(paths)
      .filter((r) => !onlyNames || onlyNames.has(r.name))
      .sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
    const stopped: string[] = [];
    const owner = (name: string): Component | undefined =>
      found ? components.find((c) => c.processes(found.ctx).some((spec) => spec.name === name)) : undefined;
    for (const record of records) {
      const component = owner(record.name);
      if (found && component?.beforeStop && isRunning(record)) {
        await component.beforeStop(found.ctx).catch((error: unknown) => {
          say(`! ${component.name}: ${error instanceof Error ? error.message : String(error)}`);
        });
      }
      const outcome = await stopProcess(paths, record);
      if (found && component?.afterStop) {
        await component.afterStop(found.ctx).catch((error: unknown) => {
          say(`! ${component.name}: ${error instanceof Error ? error.message : String(error)}`);
        });
      }
      if (outcome !== 'gone') stopped.push(record.name);
      say(
        `■ ${record.name.padEnd(24)} pid ${record.pid} ${outcome === 'gone' ? 'was not running' : outcome}`,
      );
    }
    if (!options.only) rmSync(paths.envFile, { force: true });
    if (records.length === 0) say(`nothing of the stack is running (${paths.stateDir})`);
    if (options.purge) {
      rmSync(paths.stateDir, { recursive: true, force: true });
      say(`purged ${paths.stateDir}`);
    }
    return { stopped };
  });
}

/** Per component: its processes running, and its health check passing. */
export async function stackStatus(options: StackOptions = {}): Promise<ComponentStatus[]> {
  const found = await contextFor(options, false);
  const components = orderComponents(options.components ?? defaultComponents());
  if (!found)
    return components.map((c) => ({ name: c.name, running: false, healthy: false, address: '', pids: [] }));
  return Promise.all(components.map((c) => componentStatus(found.ctx, found.paths, c)));
}

/** The `export NAME=value` lines of the running stack; throws when it is not up. */
export function stackEnv(options: Pick<StackOptions, 'stateDir'> = {}): string[] {
  const paths = statePaths(resolveStateDir(options.stateDir));
  if (!existsSync(paths.envFile))
    throw new Error(`the local stack is not up (no ${paths.envFile}); run: npx hostplane stack up`);
  return renderExportLines(JSON.parse(readFileSync(paths.envFile, 'utf8')) as Record<string, string>);
}
