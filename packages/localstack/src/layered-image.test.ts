import { describe, expect, it } from 'vitest';
import { appLayerMembers, layeredSbom } from './layered-image.ts';
import { panelImageRecipe } from './platform-images.ts';

describe('images of a cached base and an application layer', () => {
  it("writes the full package list: the base's deb lines, then the application's npm lines", () => {
    expect(layeredSbom('deb bash 5.2 amd64\n', 'pg@8.13.1\nzod@3.25.0\n')).toBe(
      'deb bash 5.2 amd64\nnpm pg@8.13.1\nnpm zod@3.25.0\n',
    );
    expect(layeredSbom('deb bash 5.2 amd64\n', undefined)).toBe('deb bash 5.2 amd64\n');
  });

  it('puts only the application folder and the package list in the application layer', () => {
    const panel = panelImageRecipe(
      { dir: '/cache/stage/panel-abc', hash: 'abc', npmPackages: [] },
      '/cache/node/bin/node',
      'ghcr.io/hostplane/panel:0.1.0',
    );
    expect(appLayerMembers(panel)).toEqual(['./opt/hostplane', './usr/share/hostplane/sbom.txt']);
  });
});
