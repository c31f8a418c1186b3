import { describe, expect, it } from 'vitest';
import { imageRecipes } from './images.ts';
import { systemImagePins } from './platform-images.ts';
import { webmailImageRecipe } from './webmail-image.ts';

describe('webmail image', () => {
  const recipe = webmailImageRecipe();

  it('carries the reference the bootstrap config pins and is one of the images `images build` makes', () => {
    expect(recipe.ref).toBe(systemImagePins().webmail);
    expect(recipe.config.labels?.['org.opencontainers.image.version']).toBe('1.6.5-1');
    expect(imageRecipes().filter((r) => r.name === 'webmail')).toEqual([recipe]);
  });

  it("is Debian's Roundcube with php-fpm and nginx, run as www-data (uid 33), with its package list", () => {
    expect(recipe.packages).toEqual(
      expect.arrayContaining(['roundcube-core', 'roundcube-sqlite3', 'php8.2-fpm', 'nginx-light']),
    );
    expect(recipe.config.user).toBe('33:33');
    expect(recipe.customize).toContain('/usr/share/hostplane/sbom.txt');
    // What a read-only root file system needs writable is the runtime user's.
    expect(recipe.customize).toContain(
      'chown -R 33:33 "$R/var/lib/nginx" "$R/var/lib/roundcube/db" "$R/run/php"',
    );
  });
});
