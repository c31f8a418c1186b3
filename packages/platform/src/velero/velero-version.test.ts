import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { renderBootstrap } from '../bootstrap/index.ts';
import { pinTestConfig, platformDir, repoRoot } from '../bootstrap/pin-test-config.ts';
import {
  imageTag,
  VELERO_AWS_PLUGIN_IMAGE,
  VELERO_AWS_PLUGIN_VERSION,
  VELERO_CRD_FILE,
  VELERO_IMAGE,
  VELERO_MODULE,
  VELERO_VERSION,
} from './version.ts';

const config = pinTestConfig;

/** Every `velero … 1.x.y` mention in a text (image tags, prose), plugin versions excluded. */
function veleroVersionsIn(text: string): string[] {
  return [...text.matchAll(/velero(?!-plugin|\/velero-plugin)[^\n]{0,30}?\bv?(1\.\d+\.\d+)\b/gi)].map(
    (m) => `v${m[1]}`,
  );
}

describe('one Velero version everywhere', () => {
  it('server and plugin are a matching pair (plugin 1.14.x is made for Velero 1.18.x)', () => {
    expect(VELERO_VERSION).toMatch(/^v1\.18\.\d+$/);
    expect(VELERO_AWS_PLUGIN_VERSION).toMatch(/^v1\.14\.\d+$/);
  });

  it('the platform config pins the images built from those versions, and no chart installs Velero', () => {
    expect(config.bootstrap.systemImages.velero).toBe(VELERO_IMAGE);
    expect(config.bootstrap.systemImages.veleroAwsPlugin).toBe(VELERO_AWS_PLUGIN_IMAGE);
    expect(imageTag(VELERO_IMAGE)).toBe(VELERO_VERSION);
    expect(imageTag(VELERO_AWS_PLUGIN_IMAGE)).toBe(VELERO_AWS_PLUGIN_VERSION);
    expect(Object.keys(config.bootstrap.charts)).not.toContain('velero');
    const all = renderBootstrap(config).flatMap((s) => s.objects);
    expect(all.filter((o) => o.kind === 'HelmChart').map((o) => o.metadata.name)).not.toContain('velero');
    const images = all.flatMap((o) => JSON.stringify(o).match(/"image":"[^"]*velero[^"]*"/g) ?? []);
    expect(new Set(images)).toEqual(
      new Set([`"image":"${VELERO_IMAGE}"`, `"image":"${VELERO_AWS_PLUGIN_IMAGE}"`]),
    );
  });

  it('the CRD file is the one generated from the same version, the only Velero one, and complete', () => {
    const dir = path.join(platformDir, path.dirname(VELERO_CRD_FILE));
    expect(readdirSync(dir).filter((f) => f.startsWith('velero'))).toEqual([path.basename(VELERO_CRD_FILE)]);
    const text = readFileSync(path.join(platformDir, VELERO_CRD_FILE), 'utf8');
    expect(text.split('\n')[0]).toContain(`${VELERO_MODULE}@${VELERO_VERSION}`);
    const names = parseAllDocuments(text)
      .map((d) => d.toJSON() as { kind?: string; metadata?: { name?: string } } | null)
      .filter((d) => d?.kind === 'CustomResourceDefinition')
      .map((d) => d?.metadata?.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'backups.velero.io',
        'restores.velero.io',
        'schedules.velero.io',
        'backupstoragelocations.velero.io',
        'podvolumebackups.velero.io',
        'podvolumerestores.velero.io',
        'datauploads.velero.io',
      ]),
    );
  });

  it('the docs name no other Velero version', () => {
    const docs = [
      path.join(repoRoot, 'README.md'),
      ...readdirSync(path.join(repoRoot, 'docs')).map((f) => path.join(repoRoot, 'docs', f)),
      path.join(repoRoot, 'packages', 'provisioner-backup', 'README.md'),
    ].filter((f) => existsSync(f));
    for (const file of docs) {
      for (const version of veleroVersionsIn(readFileSync(file, 'utf8')))
        expect(version, path.relative(repoRoot, file)).toBe(VELERO_VERSION);
    }
    expect(
      veleroVersionsIn(
        'Velero 1.17.2, velero:v1.18.3, velero-plugin-for-aws:v1.14.3, docker.io/velero/velero-plugin-for-aws:v1.14.3',
      ),
    ).toEqual(['v1.17.2', 'v1.18.3']);
  });
});
