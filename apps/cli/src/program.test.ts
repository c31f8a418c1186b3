import { describe, expect, it } from 'vitest';
import { CLI_VERSION, completionScript, parseCli } from './program.ts';

function capture(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const parsed = parseCli(argv, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { parsed, out: out.join(''), err: err.join('') };
}

describe('hostplane command line', () => {
  it('prints help to stdout and exits 0: bare, --help and <cmd> --help', () => {
    for (const argv of [[], ['--help'], ['-h']]) {
      const { parsed, out, err } = capture(argv);
      expect(parsed).toEqual({ kind: 'exit', code: 0 });
      expect(out).toMatch(/^Usage: hostplane \[options\] \[command\]/);
      for (const command of ['stack', 'serve', 'admin', 'token', 'bootstrap', 'completion'])
        expect(out).toContain(command);
      expect(err).toBe('');
    }
    const stack = capture(['stack', 'status', '--help']);
    expect(stack.parsed).toEqual({ kind: 'exit', code: 0 });
    expect(stack.out).toContain('Usage: hostplane stack status [options]');
    expect(stack.out).toMatch(/--output <format>.*"text", "json"/s);
  });

  it('prints the version with --version and -V', () => {
    for (const flag of ['--version', '-V']) {
      const { parsed, out } = capture([flag]);
      expect(parsed).toEqual({ kind: 'exit', code: 0 });
      expect(out.trim()).toBe(CLI_VERSION);
    }
  });

  it('names an unknown flag or command and exits 2', () => {
    const flag = capture(['serve', '--port=1']);
    expect(flag.parsed).toEqual({ kind: 'exit', code: 2 });
    expect(flag.err).toContain("unknown option '--port=1'");
    const command = capture(['stak']);
    expect(command.parsed).toEqual({ kind: 'exit', code: 2 });
    expect(command.err).toMatch(/unknown command 'stak'[\s\S]*Did you mean stack\?/);
    expect(capture(['stack']).parsed).toEqual({ kind: 'exit', code: 2 });
    expect(capture(['stack', 'status', '--output', 'yaml']).err).toContain('Allowed choices are text, json');
  });

  it('keeps every existing command and flag', () => {
    expect(capture(['stack', 'up', '--only', 'pdns,postgres']).parsed).toEqual({
      kind: 'run',
      invocation: { command: 'stack up', only: ['pdns', 'postgres'] },
    });
    expect(capture(['stack', 'down', '--purge']).parsed).toEqual({
      kind: 'run',
      invocation: { command: 'stack down', purge: true, only: undefined },
    });
    expect(capture(['stack', 'status', '-o', 'json']).parsed).toMatchObject({
      invocation: { command: 'stack status', output: 'json' },
    });
    expect(capture(['stack', 'env']).parsed).toMatchObject({ invocation: { command: 'stack env' } });
    expect(capture(['serve']).parsed).toMatchObject({ invocation: { command: 'serve', mode: 'all' } });
    expect(capture(['serve', '--api-only']).parsed).toMatchObject({ invocation: { mode: 'api' } });
    expect(capture(['serve', '--worker-only']).parsed).toMatchObject({ invocation: { mode: 'worker' } });
    expect(capture(['admin', 'create', '--email', 'a@b.test', '--password', 'pw']).parsed).toMatchObject({
      invocation: { command: 'admin create', email: 'a@b.test', password: 'pw', passwordStdin: false },
    });
    expect(
      capture(['token', 'create', '--email', 'a@b.test', '--name', 'ci', '--scope', 'read']).parsed,
    ).toMatchObject({
      invocation: { command: 'token create', email: 'a@b.test', name: 'ci', scope: 'read' },
    });
  });

  it('refuses contradictory flags with exit 2', () => {
    const both = capture(['serve', '--api-only', '--worker-only']);
    expect(both.parsed).toEqual({ kind: 'exit', code: 2 });
    expect(both.err).toMatch(/--api-only.*cannot be used with.*--worker-only/);
    const passwords = capture([
      'admin',
      'create',
      '--email',
      'a@b.test',
      '--password-stdin',
      '--password',
      'x',
    ]);
    expect(passwords.parsed).toEqual({ kind: 'exit', code: 2 });
  });

  it('reads the admin password from stdin when asked', () => {
    expect(capture(['admin', 'create', '--email', 'a@b.test', '--password-stdin']).parsed).toMatchObject({
      invocation: { passwordStdin: true, password: undefined },
    });
  });

  it('generates a completion script that knows the commands and their flags', () => {
    const script = completionScript('bash');
    expect(script).toContain('complete -F _hostplane hostplane');
    expect(script).toContain('"stack status") words="--only --output --help"');
    expect(script).toMatch(/"bootstrap"\) words="--config --render --apply/);
    expect(completionScript('zsh')).toContain('bashcompinit');
  });
});
