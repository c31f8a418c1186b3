// The `hostplane` command line: one commander program, the single parser and the generated help of
// every command. Parsing is pure (nothing is loaded or run): `parseCli` answers either the command to
// run with its options, or an exit code after help, --version or a usage error. main.ts runs the
// command, importing its module only then, so `hostplane stack status` does not pay for the API.
import { Argument, Command, CommanderError, Option } from 'commander';
import pkg from '../package.json' with { type: 'json' };

export const CLI_VERSION: string = pkg.version;

export type OutputFormat = 'text' | 'json';

export type Invocation =
  | { command: 'stack up'; only?: string[] }
  | { command: 'stack down'; purge: boolean; only?: string[] }
  | { command: 'stack status'; only?: string[]; output: OutputFormat }
  | { command: 'stack env' }
  | { command: 'images build'; only?: string[] }
  | { command: 'images list' }
  | { command: 'images push'; registry: string; only?: string[]; destCreds?: string; tlsVerify: boolean }
  | { command: 'serve'; mode: 'all' | 'api' | 'worker' }
  | { command: 'sftp-gateway' }
  | { command: 'admin create'; email?: string; password?: string; passwordStdin: boolean }
  | { command: 'token create'; email?: string; name?: string; scope?: string; expires?: string }
  | {
      command: 'bootstrap';
      config?: string;
      render?: string;
      apply: boolean;
      diff: boolean;
      uninstall?: boolean;
      status: boolean;
      local: boolean;
      kubeconfig?: string;
      timeout?: string;
      output: OutputFormat;
    }
  | { command: 'backup-platform'; prefix: string; retentionDays: string }
  | { command: 'mail-schema' }
  | {
      command: 'restore-platform';
      list: boolean;
      backup?: string;
      only?: string;
      prefix: string;
      yes: boolean;
    }
  | { command: 'completion'; shell: 'bash' | 'zsh' };

export type Parsed = { kind: 'run'; invocation: Invocation } | { kind: 'exit'; code: number };

export interface CliOutput {
  out: (text: string) => unknown;
  err: (text: string) => unknown;
}

const stdio: CliOutput = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

const list = (value: string) => value.split(',').filter(Boolean);
const outputOption = () =>
  new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text');
const onlyOption = (what: string) =>
  new Option('--only <components>', `comma-separated components (${what})`).argParser(list);

/** The program; `found` receives the invocation of the command the arguments name. */
export function buildProgram(found: (invocation: Invocation) => void, io: CliOutput = stdio): Command {
  const program = new Command('hostplane')
    .description('Hostplane: the panel API and worker, the local stack, installation of the platform')
    .version(CLI_VERSION, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'print this help')
    .showSuggestionAfterError(true)
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .exitOverride();

  const stack = program
    .command('stack')
    .description('the local stack of real components on 127.0.0.1 (state in .hostplane/stack)');
  stack
    .command('up')
    .description('start the stack (a no-op that says so when it is up)')
    .addOption(onlyOption('and their dependencies'))
    .action((o: { only?: string[] }) => found({ command: 'stack up', only: o.only }));
  stack
    .command('down')
    .description('stop the processes the stack started; keeps the data unless --purge')
    .option('--purge', 'also delete the state folder', false)
    .addOption(onlyOption('only these, not their dependencies'))
    .action((o: { purge: boolean; only?: string[] }) =>
      found({ command: 'stack down', purge: o.purge, only: o.only }),
    );
  stack
    .command('status')
    .description('each component: running, healthy, address (exit 0 when all are healthy, 3 otherwise)')
    .addOption(onlyOption('and their dependencies'))
    .addOption(outputOption())
    .action((o: { only?: string[]; output: OutputFormat }) =>
      found({ command: 'stack status', only: o.only, output: o.output }),
    );
  stack
    .command('env')
    .description('print the stack variables as `export` lines: eval "$(hostplane stack env)"')
    .action(() => found({ command: 'stack env' }));

  const images = program
    .command('images')
    .description('container images for the real node, from Debian packages without a registry');
  images
    .command('build')
    .description('build what the cache lacks (progress printed) and import into the running node')
    .addOption(new Option('--only <names>', 'comma-separated images (see `images list`)').argParser(list))
    .action((o: { only?: string[] }) => found({ command: 'images build', only: o.only }));
  images
    .command('list')
    .description('the images and the references they are built under')
    .action(() => found({ command: 'images list' }));
  images
    .command('push')
    .description('push the built images to REGISTRY with skopeo (production: the node pulls them there)')
    .argument('<registry>', 'registry host[:port][/path], e.g. registry.example.com/hostplane')
    .addOption(new Option('--only <names>', 'comma-separated images (see `images list`)').argParser(list))
    .addOption(new Option('--dest-creds <user:password>', "the registry's credentials (skopeo --dest-creds)"))
    .addOption(new Option('--no-tls-verify', 'plain HTTP or an untrusted certificate (a test registry)'))
    .action((registry: string, o: { only?: string[]; destCreds?: string; tlsVerify: boolean }) =>
      found({
        command: 'images push',
        registry,
        only: o.only,
        destCreds: o.destCreds,
        tlsVerify: o.tlsVerify,
      }),
    );

  program
    .command('serve')
    .description('run the API and the reconcile worker (environment: DATABASE_URL, PORT, …)')
    .addOption(new Option('--api-only', 'only the HTTP API').conflicts('workerOnly'))
    .addOption(new Option('--worker-only', 'only the worker (and its probe server)'))
    .action((o: { apiOnly?: boolean; workerOnly?: boolean }) =>
      found({ command: 'serve', mode: o.apiOnly ? 'api' : o.workerOnly ? 'worker' : 'all' }),
    );

  program
    .command('sftp-gateway')
    .description('run the SFTP gateway (environment: DATABASE_URL, SFTP_LISTEN, SFTP_HOST_KEYS, KUBECONFIG)')
    .action(() => found({ command: 'sftp-gateway' }));

  program
    .command('admin')
    .description('panel administrators (DATABASE_URL from the environment)')
    .command('create')
    .description('migrate the panel database, then create an admin login')
    .option('--email <address>', 'the admin’s mail address')
    .addOption(
      new Option('--password-stdin', 'read the password from standard input (recommended)').conflicts(
        'password',
      ),
    )
    .option('--password <password>', 'the password in argv (visible to other users; for scripts)')
    .action((o: { email?: string; password?: string; passwordStdin?: boolean }) =>
      found({
        command: 'admin create',
        email: o.email,
        password: o.password,
        passwordStdin: o.passwordStdin ?? false,
      }),
    );

  program
    .command('token')
    .description('API tokens (DATABASE_URL from the environment)')
    .command('create')
    .description('print a new API token of an existing user, alone on its line')
    .option('--email <address>', 'the user’s mail address')
    .option('--name <name>', 'a name for the token')
    .option('--scope <scope>', 'read or write (default write)')
    .option('--expires <time>', 'ISO-8601 expiry time')
    .action((o: { email?: string; name?: string; scope?: string; expires?: string }) =>
      found({ command: 'token create', ...o }),
    );

  program
    .command('bootstrap')
    .description('install the system namespaces: render manifests or apply them in order')
    .option('--config <file>', 'the platform configuration (YAML or JSON)')
    .option('--render <dir>', 'write numbered manifests into DIR')
    .argument('[what]', "'status': each step's state in the cluster")
    .option('--apply', 'apply in order through the Kubernetes API, waiting for each namespace', false)
    .option('--diff', 'show what an --apply would change, change nothing', false)
    .option('--uninstall', 'remove what --apply created (namespaces, cluster-scoped objects it owns)', false)
    .option('--local', "the local stack's real node, with a config derived from the stack", false)
    .option('--kubeconfig <file>', 'kubeconfig for --apply (default: KUBECONFIG)')
    .option('--timeout <seconds>', 'per namespace, how long its workloads may take (default 600)')
    .addOption(outputOption())
    .action(
      (
        what: string | undefined,
        o: {
          config?: string;
          render?: string;
          apply: boolean;
          diff: boolean;
          uninstall: boolean;
          local: boolean;
          kubeconfig?: string;
          timeout?: string;
          output: OutputFormat;
        },
      ) => {
        if (what !== undefined && what !== 'status')
          throw new CommanderError(2, 'hostplane.usage', `unknown bootstrap action ${what}`);
        return found({ command: 'bootstrap', ...o, status: what === 'status' });
      },
    );

  program
    .command('mail-schema')
    .description(
      'bring the mail database to the newest schema (MAIL_DATABASE_URL); idempotent, serialised by a lock',
    )
    .action(() => found({ command: 'mail-schema' }));

  program
    .command('backup-platform')
    .description(
      'dump the panel PostgreSQL, the mail DB and PowerDNS’s DB to S3 (DATABASE_URL, MAIL_DATABASE_URL, PDNS_DATABASE_URL, S3_*)',
    )
    .option('--prefix <prefix>', 'key prefix in the bucket', 'platform')
    .option('--retention-days <days>', 'remove platform backups older than this (never the newest)', '14')
    .action((o: { prefix: string; retentionDays: string }) => found({ command: 'backup-platform', ...o }));

  program
    .command('restore-platform')
    .description('disaster recovery: restore those databases from a platform backup (same variables)')
    .option('--list', 'list the complete platform backups, oldest first', false)
    .option('--backup <id>', 'the backup to restore (default: the newest complete one)')
    .option('--only <sources>', 'comma-separated: panel, mail, pdns (default: all in the backup)')
    .option('--prefix <prefix>', 'key prefix in the bucket', 'platform')
    .option('--yes', 'really replace the databases’ contents', false)
    .action((o: { list: boolean; backup?: string; only?: string; prefix: string; yes: boolean }) =>
      found({ command: 'restore-platform', ...o }),
    );

  program
    .command('completion')
    .description('print a shell completion script: source <(hostplane completion bash)')
    .addArgument(new Argument('<shell>', 'bash or zsh').choices(['bash', 'zsh']))
    .action((shell: 'bash' | 'zsh') => found({ command: 'completion', shell }));

  return program;
}

/** Parses `argv` (the words after `hostplane`). Usage errors exit 2; help and --version exit 0. */
export function parseCli(argv: string[], io: CliOutput = stdio): Parsed {
  let invocation: Invocation | undefined;
  const program = buildProgram((i) => {
    invocation = i;
  }, io);
  if (argv.length === 0) {
    io.out(program.helpInformation());
    return { kind: 'exit', code: 0 };
  }
  try {
    program.parse(argv, { from: 'user' });
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version')
      return { kind: 'exit', code: 0 };
    return { kind: 'exit', code: 2 }; // commander has printed what was wrong (and the help for `stack` alone)
  }
  return invocation ? { kind: 'run', invocation } : { kind: 'exit', code: 2 };
}

/** Every command path and its options, for completion scripts. */
export function commandTree(program: Command): Map<string, string[]> {
  const tree = new Map<string, string[]>();
  const walk = (command: Command, path: string) => {
    const words = [
      ...command.commands.map((c) => c.name()),
      ...command.options.map((o) => o.long ?? o.short ?? ''),
      '--help',
    ].filter(Boolean);
    tree.set(path, words);
    for (const sub of command.commands) walk(sub, path ? `${path} ${sub.name()}` : sub.name());
  };
  walk(program, '');
  return tree;
}

/** A bash completion script (zsh loads it through bashcompinit) generated from the program. */
export function completionScript(shell: 'bash' | 'zsh'): string {
  const tree = commandTree(buildProgram(() => undefined));
  const names = [...new Set([...tree.keys()].flatMap((path) => path.split(' ')).filter(Boolean))];
  const cases = [...tree].map(([path, words]) => `    "${path}") words="${words.join(' ')}" ;;`).join('\n');
  return [
    '# hostplane completion (generated by `hostplane completion`)',
    ...(shell === 'zsh' ? ['autoload -U +X bashcompinit && bashcompinit'] : []),
    '_hostplane() {',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: bash, not a template
    '  local cur="${COMP_WORDS[COMP_CWORD]}" path="" w words',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: bash, not a template
    '  for w in "${COMP_WORDS[@]:1:COMP_CWORD-1}"; do',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: bash, not a template
    '    case " ' + names.join(' ') + ' " in *" $w "*) path="${path:+$path }$w" ;; esac',
    '  done',
    '  case "$path" in',
    cases,
    '    *) words="" ;;',
    '  esac',
    '  COMPREPLY=($(compgen -W "$words" -- "$cur"))',
    '}',
    'complete -F _hostplane hostplane',
    '',
  ].join('\n');
}
