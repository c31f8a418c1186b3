// The layering a reader relies on (docs/architecture.md): checked on the sources, so a change that
// bends it fails here rather than in a review.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');

function sources(dir: string): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts'))
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)))
    .filter((f) => !f.split(path.sep).some((part) => part === 'test-support' || part === 'testing'));
}

describe('layering', () => {
  it('keeps every Kysely query of the API in packages/db: routes, http, auth and housekeeping are wiring', () => {
    const files = [
      ...sources('apps/api/src/routes'),
      ...sources('apps/api/src/http'),
      ...sources('apps/api/src/auth'),
      'apps/api/src/housekeeping.ts',
    ];
    const queries = files.flatMap((f) =>
      readFileSync(path.join(root, f), 'utf8')
        .split('\n')
        .map((line, i) => ({ where: `${f}:${i + 1}`, line }))
        .filter(({ line }) =>
          /\.(selectFrom|insertInto|updateTable|deleteFrom)\(|\bsql(<[^>]*>)?`/.test(line),
        )
        .map(({ where }) => where),
    );
    expect(queries).toEqual([]);
  });

  it('lets localstack own the mail adapters of the local stack: provisioner-mail never imports it', () => {
    const imports = sources('packages/provisioner-mail/src').filter((f) =>
      readFileSync(path.join(root, f), 'utf8').includes("from '@hostplane/localstack"),
    );
    expect(imports).toEqual([]);
    const pkg = JSON.parse(
      readFileSync(path.join(root, 'packages/provisioner-mail/package.json'), 'utf8'),
    ) as {
      dependencies: Record<string, string>;
    };
    expect(Object.keys(pkg.dependencies)).not.toContain('@hostplane/localstack');
  });
});
