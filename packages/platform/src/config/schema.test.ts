import { desiredTenantObjects } from '@hostplane/domain';
import { describe, expect, it } from 'vitest';
import { parsePlatformConfig } from './schema.ts';

describe('parsePlatformConfig', () => {
  it('gives a full configuration from {} with pinned images and longhorn', () => {
    const config = parsePlatformConfig({});
    expect(config.storage.storageClass).toBe('longhorn');
    expect(config.ingress.certResolver).toBe('letsencrypt');
    expect(config.namespaces).toEqual({
      ingress: 'ingress-system',
      monitoring: 'monitoring-system',
      mail: 'mail-system',
      panel: 'panel-system',
    });
    for (const image of Object.values(config.images)) expect(image).toMatch(/:[^:]*\d/);
  });

  it('keeps what is given and fills the rest', () => {
    const config = parsePlatformConfig({
      storage: { storageClass: 'local-path' },
      publicAddresses: { ipv4: ['203.0.113.5'], ipv6: ['2001:db8::5'] },
    });
    expect(config.storage).toMatchObject({ storageClass: 'local-path', siteVolumeSize: '1Gi' });
    expect(config.publicAddresses).toEqual({ ipv4: ['203.0.113.5'], ipv6: ['2001:db8::5'] });
  });

  it.each([
    [{ images: { nginx: 'nginx:latest' } }, 'images.nginx'],
    [{ images: { mariadb: 'mariadb' } }, 'images.mariadb'],
    [{ publicAddresses: { ipv4: ['300.1.1.1'] } }, 'publicAddresses.ipv4.0'],
    [{ network: { clusterCidrs: ['10.0.0.0'] } }, 'network.clusterCidrs.0'],
    [{ storage: { siteVolumeSize: 'big' } }, 'storage.siteVolumeSize'],
    [{ namespaces: { mail: 'Mail_System' } }, 'namespaces.mail'],
  ])('refuses %j naming %s', (input, field) => {
    expect(() => parsePlatformConfig(input)).toThrow(field);
  });

  it('is what the tenant desired state takes', () => {
    const snapshot = {
      id: 1001,
      name: 'a',
      email: 'a@b.example',
      generation: 1,
      suspended: false,
      deleting: false,
      plan: {
        id: 1,
        name: 'p',
        limits: {
          cpu: '1',
          memory: '1Gi',
          storage: '5Gi',
          sites: 1,
          domains: 1,
          mailboxes: 1,
          mailboxQuota: '1Gi',
          databases: 0,
          backupRetentionDays: 1,
        },
      },
      sites: [],
      domains: [],
      mailboxes: [],
      aliases: [],
    };
    const kinds = desiredTenantObjects(snapshot, parsePlatformConfig({})).map((o) => o.kind);
    expect(kinds[0]).toBe('Namespace');
  });
});
