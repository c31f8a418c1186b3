import { TRAEFIK_IMAGE } from '@hostplane/platform';
import { describe, expect, it } from 'vitest';
import { traefikImageRecipe } from './edge-image.ts';

describe('the edge image recipe', () => {
  it('puts the built traefik into a minimal Debian root under the pinned upstream name, non-root', () => {
    const recipe = traefikImageRecipe('/root/.cache/hostplane/traefik/v3.6.12-abc/traefik');
    expect(recipe.ref).toBe(TRAEFIK_IMAGE);
    expect(recipe.customize).toContain(
      `install -m 0755 '/root/.cache/hostplane/traefik/v3.6.12-abc/traefik' "$R/usr/local/bin/traefik"`,
    );
    expect(recipe.config).toMatchObject({ entrypoint: ['/usr/local/bin/traefik'], user: '65532:65532' });
  });

  it('refuses a binary path that would need quoting in the hook', () => {
    expect(() => traefikImageRecipe("/tmp/x'; rm -rf /")).toThrow(/absolute and plain/);
    expect(() => traefikImageRecipe('traefik')).toThrow();
  });
});
