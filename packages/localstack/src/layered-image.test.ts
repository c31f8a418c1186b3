import { describe, expect, it } from 'vitest';
import { appLayerMembers, layeredSbom, layoutKey } from './layered-image.ts';
import { panelImageRecipe } from './platform-images.ts';

describe('images of a cached base and an application layer', () => {
  it("writes the full package list: the base's deb lines, then the application's npm lines", () => {
    expect(layeredSbom('deb bash 5.2 amd64\n', 'pg@8.13.1\nzod@3.25.0\n')).toBe(
      'deb bash 5.2 amd64\nnpm pg@8.13.1\nnpm zod@3.25.0\n',
    );
    expect(layeredSbom('deb bash 5.2 amd64\n', undefined)).toBe('deb bash 5.2 amd64\n');
  });

  it('puts only the application folder in its layers, and the package list in the last one', () => {
    const panel = panelImageRecipe(
      { dir: '/cache/stage/panel-abc', depsDir: '/cache/stage/panel-deps-def', hash: 'abc', npmPackages: [] },
      '/cache/node/bin/node',
      'ghcr.io/hostplane/panel:0.1.0',
    );
    expect(panel.app.sources).toEqual(['/cache/stage/panel-deps-def', '/cache/stage/panel-abc']);
    expect(appLayerMembers(panel, false)).toEqual(['./opt/hostplane']);
    expect(appLayerMembers(panel, true)).toEqual(['./opt/hostplane', './usr/share/hostplane/sbom.txt']);
  });

  it('keys the cached lower layers by the base and the npm packages, not by the build', () => {
    const recipe = (dir: string, depsDir: string) =>
      panelImageRecipe({ dir, depsDir, hash: 'x', npmPackages: [] }, '/n/node', 'r:0.1.0');
    const one = recipe('/s/panel-1', '/s/panel-deps-a');
    expect(layoutKey('panel-base-1', one, 0)).toBe('panel-base-1');
    expect(layoutKey('panel-base-1', recipe('/s/panel-2', '/s/panel-deps-a'), 1)).toBe(
      layoutKey('panel-base-1', one, 1),
    );
    expect(layoutKey('panel-base-1', recipe('/s/panel-1', '/s/panel-deps-b'), 1)).not.toBe(
      layoutKey('panel-base-1', one, 1),
    );
    expect(layoutKey('panel-base-2', one, 1)).not.toBe(layoutKey('panel-base-1', one, 1));
    expect(layoutKey('panel-base-1', one, 1)).toMatch(/^panel-layers-[0-9a-f]{12}$/);
  });
});
