#!/usr/bin/env node
// Production (NODE_ENV=production): the compiled build in ../dist (`npm run build`), plain Node with
// no TypeScript loader. Otherwise the TypeScript sources through tsx: no build step while developing,
// and a build left behind never shadows the sources being edited.
import { existsSync } from 'node:fs';

if (process.env.NODE_ENV === 'production') {
  const main = new URL('../dist/main.js', import.meta.url);
  if (!existsSync(main)) {
    console.error('hostplane: NODE_ENV=production runs the build, and there is none: run `npm run build`');
    process.exit(1);
  }
  await import(main.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/main.ts');
}
