import { TRAEFIK_VERSION } from '@hostplane/platform';
import { describe, expect, it } from 'vitest';
import {
  commandName,
  type GoProgram,
  programCacheDir,
  programCacheKey,
  programLdflags,
} from './go-program-build.ts';
import { pebbleProgram, traefikProgram } from './go-programs.ts';

const program: GoProgram = {
  name: 'x',
  module: 'example.com/x/v2',
  version: 'v2.1.0',
  commands: ['./cmd/x', './cmd/x-helper'],
  stamps: { 'main.version': 'v2.1.0', 'example.com/x/v2/pkg/version.Codename': 'c' },
  env: { CGO_ENABLED: '0' },
};

describe('Go module program builds', () => {
  it('names each binary after its command folder', () => {
    expect(program.commands.map(commandName)).toEqual(['x', 'x-helper']);
    expect(() => commandName('.')).toThrow(/names its binary/);
  });

  it('stamps versions with -X, sorted, stripped, no build date', () => {
    expect(programLdflags(program)).toBe(
      '-s -w -X example.com/x/v2/pkg/version.Codename=c -X main.version=v2.1.0',
    );
  });

  it('caches by every input: version, commands, flags and environment', () => {
    const key = programCacheKey(program);
    expect(key).toMatch(/^v2\.1\.0-[0-9a-f]{12}$/);
    expect(programCacheKey({ ...program })).toBe(key);
    expect(programCacheKey({ ...program, version: 'v2.1.1' })).not.toBe(key);
    expect(programCacheKey({ ...program, commands: ['./cmd/x'] })).not.toBe(key);
    expect(programCacheKey({ ...program, stamps: {} })).not.toBe(key);
    expect(programCacheKey({ ...program, env: {} })).not.toBe(key);
    expect(programCacheDir(program, { HOSTPLANE_CACHE_DIR: '/c' })).toBe(`/c/x/${key}`);
  });

  it('builds the Traefik production pins and a Pebble v2.10.x', () => {
    expect(traefikProgram.version).toBe(TRAEFIK_VERSION);
    expect(traefikProgram.stamps['github.com/traefik/traefik/v3/pkg/version.Version']).toBe(TRAEFIK_VERSION);
    expect(pebbleProgram.version).toMatch(/^v2\.10\.\d+$/);
  });
});
