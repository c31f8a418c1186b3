import { describe, expect, it } from 'vitest';
import { mailDnsImageRecipes } from './mail-dns-images.ts';
import { systemImagePins } from './platform-images.ts';

describe('mail and DNS images', () => {
  const recipes = mailDnsImageRecipes();
  const pins = systemImagePins();

  it('carry the references the bootstrap config pins', () => {
    const byName = Object.fromEntries(recipes.map((r) => [r.name, r.ref]));
    expect(byName).toEqual({
      pdns: pins.pdns,
      postfix: pins.postfix,
      dovecot: pins.dovecot,
      rspamd: pins.rspamd,
      'dkim-sync': pins.dkimSync,
      redis: pins.redis,
    });
  });

  it('run as the upstream images do: non-root except the two masters that drop privileges', () => {
    const users = Object.fromEntries(recipes.map((r) => [r.name, r.config.user]));
    expect(users).toEqual({
      pdns: '953:953',
      postfix: '0:0',
      dovecot: '0:0',
      rspamd: '11333:11333',
      'dkim-sync': '11333:11333',
      redis: '999:999',
    });
  });

  it('write their package list and carry version and source labels', () => {
    for (const recipe of recipes) {
      expect(recipe.customize, recipe.name).toContain('/usr/share/hostplane/sbom.txt');
      expect(recipe.config.labels?.['org.opencontainers.image.version'], recipe.name).toBe(
        recipe.ref.slice(recipe.ref.lastIndexOf(':') + 1),
      );
      expect(recipe.config.labels?.['org.opencontainers.image.source'], recipe.name).toMatch(/^https:\/\//);
    }
  });
});
