import {
  type Component,
  StackComponentError,
  selectComponents,
  stackComponents,
  stackDown,
  stackEnv,
  stackStatus,
  stackUp,
} from '@hostplane/localstack';

import type { Invocation } from '../program.ts';

// `hostplane stack up | down [--purge] | status | env` — the local stack of DESIGN.md §5.
// `--only a,b` limits up/status to those components and their dependencies, and down to those components.

type StackInvocation = Extract<Invocation, { command: `stack ${string}` }>;

function selected(only: string[] | undefined, withDependencies = true): Component[] | undefined {
  if (only === undefined) return undefined;
  if (only.length === 0) throw new Error('--only needs a comma-separated list of components');
  const components = selectComponents(stackComponents, only);
  return withDependencies ? components : components.filter((c) => only.includes(c.name));
}

async function up(only: string[] | undefined): Promise<number> {
  try {
    const result = await stackUp({ components: selected(only) });
    if (!result.alreadyUp) console.log('stack up; `npx hostplane stack env` prints its variables');
    return 0;
  } catch (err) {
    if (err instanceof StackComponentError) {
      console.error(`hostplane stack up: ${err.message}`);
      console.error('the components that did start keep running; stop them with: npx hostplane stack down');
      return 1;
    }
    throw err;
  }
}

async function status(only: string[] | undefined, output: 'text' | 'json'): Promise<number> {
  const statuses = await stackStatus({ components: selected(only) });
  const allHealthy = statuses.every((s) => s.healthy);
  const noneRunning = statuses.every((s) => !s.running);
  const state = allHealthy ? 'up' : noneRunning ? 'down' : 'partly up';
  if (output === 'json') {
    const components = statuses.map((s) => ({
      name: s.name,
      running: s.running,
      healthy: s.healthy,
      address: s.address,
      pids: s.pids,
    }));
    console.log(JSON.stringify({ state, components }, null, 2));
  } else {
    for (const s of statuses) {
      const text = s.running ? (s.healthy ? 'running, healthy' : 'running, NOT healthy') : 'stopped';
      const pids = s.pids.length ? ` pid ${s.pids.join(',')}` : '';
      console.log(`${s.name.padEnd(24)} ${text.padEnd(22)} ${s.address}${pids}`);
    }
    console.log(`stack: ${state}`);
  }
  return allHealthy ? 0 : 3;
}

export async function run(invocation: StackInvocation): Promise<number> {
  switch (invocation.command) {
    case 'stack up':
      return up(invocation.only);
    case 'stack down':
      await stackDown({ purge: invocation.purge, only: selected(invocation.only, false) });
      return 0;
    case 'stack status':
      return status(invocation.only, invocation.output);
    case 'stack env':
      for (const line of stackEnv()) console.log(line);
      return 0;
  }
}
