import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { desiredTenantObjects } from './desired.ts';
import { site, snapshot, testConfig } from './fixtures.ts';

// The site's nginx configuration ships in a ConfigMap mounted at /etc/nginx/conf.d of the official
// nginx image, whose nginx.conf includes conf.d/*.conf inside `http {}`. Here Debian's own nginx
// (nginx-light) parses exactly that arrangement with `nginx -t`, so a directive it rejects fails a
// test, as postconf/doveconf/rspamadm do for the mail renderings.

const run = promisify(execFile);
const dirs: string[] = [];

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** nginx -t on a main config laid out like the image's, with `conf` as conf.d/default.conf. */
async function nginxTest(conf: string): Promise<{ ok: boolean; output: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'hostplane-nginx-'));
  dirs.push(dir);
  mkdirSync(path.join(dir, 'conf.d'));
  for (const file of ['mime.types', 'fastcgi_params'])
    copyFileSync(`/etc/nginx/${file}`, path.join(dir, file));
  writeFileSync(path.join(dir, 'conf.d', 'default.conf'), conf);
  writeFileSync(
    path.join(dir, 'nginx.conf'),
    [
      `pid ${dir}/nginx.pid;`,
      `error_log ${dir}/error.log;`,
      'events { worker_connections 64; }',
      'http {',
      '  include mime.types;',
      '  default_type application/octet-stream;',
      `  access_log ${dir}/access.log;`,
      '  include conf.d/*.conf;',
      '}',
      '',
    ].join('\n'),
  );
  const args = ['-t', '-p', dir, '-c', path.join(dir, 'nginx.conf'), '-e', path.join(dir, 'error.log')];
  try {
    const { stdout, stderr } = await run('nginx', args);
    return { ok: true, output: stdout + stderr };
  } catch (err) {
    const failed = err as { stdout?: string; stderr?: string };
    return { ok: false, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

const objects = desiredTenantObjects(
  snapshot({
    sites: [
      site({ name: 'plain', template: 'static' }),
      site({ name: 'app', template: 'php' }),
      site({ name: 'blog', template: 'wordpress', database: true, databasePassword: 'pw' }),
    ],
  }),
  testConfig,
  {},
);
const confs = objects
  .filter((o) => o.kind === 'ConfigMap' && o.metadata.name.endsWith('-nginx'))
  .map((o) => [o.metadata.name, (o.data as Record<string, string>)['default.conf'] ?? ''] as const);

describe('the rendered site nginx configuration passes a real nginx -t', () => {
  it('renders one configuration per nginx template', () => {
    expect(confs.map(([name]) => name).sort()).toEqual(['app-nginx', 'blog-nginx', 'plain-nginx']);
  });

  it.each(confs)('%s is accepted by nginx -t', async (_, conf) => {
    const result = await nginxTest(conf);
    expect(result.output).toContain('syntax is ok');
    expect(result.output).not.toMatch(/\[warn\]|\[emerg\]/);
    expect(result.ok).toBe(true);
  });

  it('refuses a broken configuration, so the check above means something', async () => {
    const result = await nginxTest('server {\n  listen 8080;\n  try_files_typo $uri;\n}\n');
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/unknown directive "try_files_typo"/);
  });
});
