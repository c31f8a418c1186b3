import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderBootstrap } from '../bootstrap/index.ts';
import { pinTestConfig, platformDir, repoRoot } from '../bootstrap/pin-test-config.ts';
import { TRAEFIK_CRD_FILE, TRAEFIK_IMAGE, TRAEFIK_MODULE, TRAEFIK_VERSION } from './version.ts';

const config = pinTestConfig;

/** Every `traefik … vX.Y.Z` / `traefik:vX.Y.Z` / `traefik-vX.Y.Z` mention in a text. */
function traefikVersionsIn(text: string): string[] {
  return [...text.matchAll(/traefik[^\n]{0,40}?\bv?(3\.\d+\.\d+)\b/gi)].map((m) => `v${m[1]}`);
}

describe('one Traefik version everywhere', () => {
  it('is a v3.6.x release (v3.7 cannot be built from the module proxy)', () => {
    expect(TRAEFIK_VERSION).toMatch(/^v3\.6\.\d+$/);
  });

  it('the platform config pins the image built from that version, and nothing installs a Traefik chart', () => {
    expect(config.bootstrap.systemImages.traefik).toBe(TRAEFIK_IMAGE);
    expect(TRAEFIK_IMAGE.endsWith(`:${TRAEFIK_VERSION}`)).toBe(true);
    expect(Object.keys(config.bootstrap.charts)).not.toContain('traefik');
    const all = renderBootstrap(config).flatMap((s) => s.objects);
    expect(all.filter((o) => o.kind === 'HelmChart').map((o) => o.metadata.name)).not.toContain('traefik');
    const images = all.flatMap((o) => JSON.stringify(o).match(/"image":"[^"]*traefik[^"]*"/g) ?? []);
    expect(new Set(images)).toEqual(new Set([`"image":"${TRAEFIK_IMAGE}"`]));
  });

  it('the CRD file in use is the one generated from the same module version, and the only one', () => {
    const dir = path.join(platformDir, path.dirname(TRAEFIK_CRD_FILE));
    expect(readdirSync(dir).filter((f) => f.startsWith('traefik'))).toEqual([
      path.basename(TRAEFIK_CRD_FILE),
    ]);
    const header = readFileSync(path.join(platformDir, TRAEFIK_CRD_FILE), 'utf8').split('\n')[0];
    expect(header).toContain(`${TRAEFIK_MODULE}@${TRAEFIK_VERSION}`);
  });

  it('the docs name no other Traefik version', () => {
    const docs = [
      path.join(repoRoot, 'README.md'),
      ...readdirSync(path.join(repoRoot, 'docs')).map((f) => path.join(repoRoot, 'docs', f)),
    ];
    for (const file of docs) {
      for (const version of traefikVersionsIn(readFileSync(file, 'utf8')))
        expect(version, path.relative(repoRoot, file)).toBe(TRAEFIK_VERSION);
    }
    expect(traefikVersionsIn('Traefik v3.7.9 and traefik:v3.6.12')).toEqual(['v3.7.9', 'v3.6.12']);
  });
});
