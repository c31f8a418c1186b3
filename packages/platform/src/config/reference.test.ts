import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configReferenceMarkdown, withConfigReference } from './reference.ts';

const doc = new URL('../../../../docs/install.md', import.meta.url);

describe('the configuration reference in docs/install.md', () => {
  it('is generated from the schema and up to date (npm run generate:config-reference)', () => {
    const text = readFileSync(doc, 'utf8');
    expect(text).toBe(withConfigReference(text));
  });

  it('names required fields and defaults, nested under their section', () => {
    const table = configReferenceMarkdown();
    expect(table).toMatch(/\| `bootstrap\.hosts\.panel` \| string \| yes \|/);
    expect(table).toMatch(
      /\| `bootstrap\.systemImages\.panel` \| string \| {2}\| `"ghcr\.io\/hostplane\/panel:0\.1\.0"` \|/,
    );
    expect(table).toContain('`bootstrap.edge.serviceType`');
    expect(table).toContain('`publicAddresses.ipv4`');
  });
});
