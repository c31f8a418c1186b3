// The `hostplane` command. Each subcommand lives in ./commands/<name>.ts and exports
// `run(argv: string[]): Promise<number>` (the exit code); it is loaded only when used so
// `hostplane stack status` does not pay for the API's dependencies.
const commands: Record<
  string,
  { summary: string; load: () => Promise<{ run(argv: string[]): Promise<number> }> }
> = {
  stack: {
    summary: 'up | down [--purge] | status | env — the local stack',
    load: () => import('./commands/stack.ts'),
  },
  serve: {
    summary: 'run the API and the worker (--api-only, --worker-only)',
    load: () => import('./commands/serve.ts'),
  },
  admin: { summary: 'create --email E --password P', load: () => import('./commands/admin.ts') },
  token: {
    summary: 'create --email E --name N [--scope read|write]',
    load: () => import('./commands/token.ts'),
  },
  bootstrap: {
    summary: '--config F (--render DIR | --apply) — the system namespaces',
    load: () => import('./commands/bootstrap.ts'),
  },
};

function usage(): string {
  const lines = Object.entries(commands).map(([name, c]) => `  hostplane ${name.padEnd(10)} ${c.summary}`);
  return ['Usage:', ...lines].join('\n');
}

const [name, ...rest] = process.argv.slice(2);
const command = name ? commands[name] : undefined;
if (!command) {
  console.error(usage());
  process.exit(name ? 2 : 0);
}
try {
  const mod = await command.load();
  process.exitCode = await mod.run(rest);
} catch (err) {
  console.error(`hostplane ${name}: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
}
// A finished command is finished: driver pools and keep-alive agents some adapters hold (mysql2,
// the Kubernetes client) must not keep the process alive after `serve` has shut down in order.
// stdout and stderr are synchronous for files and pipes on Linux, so nothing printed is lost.
process.exit();

export {};
