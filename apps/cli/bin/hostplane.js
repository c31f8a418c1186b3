#!/usr/bin/env node
// The workspace runs TypeScript sources directly (no build step): tsx registers the loader,
// then the CLI's entry point takes over.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
