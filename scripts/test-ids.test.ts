// Integration files share one worker process (vitest `isolate: false`), so `process.pid` is the same
// for all of them in a run: two files with the same customer-id base make the same customers, and one
// file's leftover zone or namespace becomes another's (platform-dr's resync once deleted a zone that
// domain-ownership had left under the same customer id). Each file needs a base of its own.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const repo = path.resolve(import.meta.dirname, '..');

function intFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(path.join(repo, dir), { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist') continue;
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) out.push(...intFiles(rel));
    else if (entry.name.endsWith('.int.test.ts')) out.push(rel);
  }
  return out;
}

describe('customer ids of the integration files', () => {
  it('each file derives its customer ids from a base no other file uses', () => {
    const bases = new Map<string, string[]>();
    for (const file of [...intFiles('tests'), ...intFiles('apps'), ...intFiles('packages')]) {
      const text = readFileSync(path.join(repo, file), 'utf8');
      for (const m of text.matchAll(/([\d_]+) \+ \(process\.pid % ([\d_]+)\)/g)) {
        const key = `${m[1]} + pid % ${m[2]}`;
        bases.set(key, [...(bases.get(key) ?? []), file]);
      }
    }
    const shared = [...bases].filter(([, files]) => new Set(files).size > 1);
    expect(shared).toEqual([]);
  });
});
