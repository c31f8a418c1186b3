import type { LiveObject } from '@hostplane/provisioner-k8s';
import { describe, expect, it } from 'vitest';
import { replacedByRestore } from './restore-room.ts';

const object = (site?: string): LiveObject =>
  ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: site ?? 'mariadb', labels: site ? { 'hostplane.io/site': site } : {} },
  }) as LiveObject;

describe('replacedByRestore', () => {
  it.each([
    {
      case: 'some sites: a named site',
      site: 'blog',
      sites: ['blog'],
      backupSites: ['blog', 'web'],
      out: true,
    },
    {
      case: 'some sites: another site',
      site: 'web',
      sites: ['blog'],
      backupSites: ['blog', 'web'],
      out: false,
    },
    {
      case: 'some sites: an object of no site',
      site: undefined,
      sites: ['blog'],
      backupSites: null,
      out: false,
    },
    { case: 'whole: a site of the backup', site: 'web', sites: null, backupSites: ['web'], out: true },
    { case: 'whole: a site created after it', site: 'shop', sites: null, backupSites: ['web'], out: false },
    { case: 'whole: an object of no site', site: undefined, sites: null, backupSites: ['web'], out: true },
    { case: 'whole, contents unknown: everything', site: 'shop', sites: null, backupSites: null, out: true },
  ])('$case → $out', ({ site, sites, backupSites, out }) => {
    expect(replacedByRestore(object(site), { sites, backupSites })).toBe(out);
  });
});
