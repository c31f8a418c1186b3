// `npm run generate:config-reference`: rewrites the configuration reference in docs/install.md from the
// zod schema (packages/platform/src/config/reference.ts).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { withConfigReference } from '@hostplane/platform';
import { repoRoot } from '@hostplane/testing';

const file = path.join(repoRoot, 'docs', 'install.md');
writeFileSync(file, withConfigReference(readFileSync(file, 'utf8')));
console.log(`wrote the configuration reference into ${path.relative(repoRoot, file)}`);
