// The `hostplane` command: program.ts parses (one commander program, generated help); each command's
// module is imported only when it runs, so `hostplane stack status` does not pay for the API.
import { completionScript, type Invocation, parseCli } from './program.ts';

async function execute(invocation: Invocation): Promise<number> {
  switch (invocation.command) {
    case 'stack up':
    case 'stack down':
    case 'stack status':
    case 'stack env':
      return (await import('./commands/stack.ts')).run(invocation);
    case 'images build':
    case 'images list':
    case 'images push':
      return (await import('./commands/images.ts')).run(invocation);
    case 'serve':
      return (await import('./commands/serve.ts')).run(invocation.mode);
    case 'sftp-gateway':
      return (await import('./commands/sftp-gateway.ts')).run();
    case 'admin create':
      return (await import('./commands/admin.ts')).run(invocation);
    case 'token create':
      return (await import('./commands/token.ts')).run(invocation);
    case 'bootstrap':
      return (await import('./commands/bootstrap.ts')).run(invocation);
    case 'mail-schema':
      return (await import('./commands/mail-schema.ts')).run();
    case 'backup-platform':
      return (await import('./commands/backup-platform.ts')).run(invocation);
    case 'restore-platform':
      return (await import('./commands/restore-platform.ts')).run(invocation);
    case 'completion':
      process.stdout.write(completionScript(invocation.shell));
      return 0;
  }
}

const parsed = parseCli(process.argv.slice(2));
if (parsed.kind === 'exit') {
  process.exitCode = parsed.code;
} else {
  try {
    process.exitCode = await execute(parsed.invocation);
  } catch (err) {
    console.error(
      `hostplane ${parsed.invocation.command}: ${err instanceof Error ? err.message : String(err)}`,
    );
    process.exitCode = 1;
  }
}
// A finished command is finished: driver pools and keep-alive agents some adapters hold (mysql2,
// the Kubernetes client) must not keep the process alive after `serve` has shut down in order.
// stdout and stderr are synchronous for files and pipes on Linux, so nothing printed is lost.
process.exit();
