import type { PlatformInfo } from '@hostplane/contracts';
import { describe, expect, it } from 'vitest';
import { phpChoice } from './php.ts';

const platform: PlatformInfo = {
  php: { versions: ['8.2', '8.3', '8.4'], defaultVersion: '8.4', wordpressVersions: ['8.2', '8.3'] },
  sftp: { host: 'sftp.example', port: 22 },
  webmail: { url: null },
};

describe('phpChoice', () => {
  it('offers every version to a php site, the default selected', () => {
    expect(phpChoice(platform, 'php')).toEqual({
      options: ['8.2', '8.3', '8.4'].map((v) => ({ value: v, label: `PHP ${v}` })),
      selected: '8.4',
    });
  });

  it('offers a wordpress site only the versions with a WordPress image', () => {
    expect(phpChoice(platform, 'wordpress')).toEqual({
      options: ['8.2', '8.3'].map((v) => ({ value: v, label: `PHP ${v}` })),
      selected: '8.3',
    });
  });

  it('offers nothing to other templates, or to wordpress without any WordPress image', () => {
    expect(phpChoice(platform, 'static')).toBeNull();
    expect(
      phpChoice({ ...platform, php: { ...platform.php, wordpressVersions: [] } }, 'wordpress'),
    ).toBeNull();
    expect(phpChoice(undefined, 'php')).toBeNull();
  });
});
