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

// `hostplane stack up | down [--purge] | status | env` — the local stack of DESIGN.md §5.
// `--only a,b` limits up/status to those components and their dependencies, and down to those components.

const USAGE =
  'usage: hostplane stack up [--only a,b] | down [--purge | --only a,b] | status [--only a,b] | env';

function parseOnly(argv: string[], withDependencies = true): Component[] | undefined {
  const at = argv.indexOf('--only');
  if (at === -1) return undefined;
  const names = (argv[at + 1] ?? '').split(',').filter(Boolean);
  if (names.length === 0) throw new Error('--only needs a comma-separated list of components');
  const selected = selectComponents(stackComponents, names);
  return withDependencies ? selected : selected.filter((c) => names.includes(c.name));
}

async function up(argv: string[]): Promise<number> {
  try {
    const result = await stackUp({ components: parseOnly(argv) });
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

async function status(argv: string[]): Promise<number> {
  const statuses = await stackStatus({ components: parseOnly(argv) });
  for (const s of statuses) {
    const state = s.running ? (s.healthy ? 'running, healthy' : 'running, NOT healthy') : 'stopped';
    const pids = s.pids.length ? ` pid ${s.pids.join(',')}` : '';
    console.log(`${s.name.padEnd(24)} ${state.padEnd(22)} ${s.address}${pids}`);
  }
  const allHealthy = statuses.every((s) => s.healthy);
  const noneRunning = statuses.every((s) => !s.running);
  console.log(allHealthy ? 'stack: up' : noneRunning ? 'stack: down' : 'stack: partly up');
  return allHealthy ? 0 : 3;
}

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'up':
      return up(rest);
    case 'down': {
      const only = parseOnly(rest, false);
      const unknown = rest.filter(
        (arg, i) => arg !== '--purge' && arg !== '--only' && rest[i - 1] !== '--only',
      );
      if (unknown.length) throw new Error(`unknown argument ${unknown[0]}; ${USAGE}`);
      await stackDown({ purge: rest.includes('--purge'), only });
      return 0;
    }
    case 'status':
      return status(rest);
    case 'env':
      for (const line of stackEnv()) console.log(line);
      return 0;
    default:
      console.error(USAGE);
      return 2;
  }
}
