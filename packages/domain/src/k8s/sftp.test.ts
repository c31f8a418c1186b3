import { describe, expect, it } from 'vitest';
import type { CustomerSnapshot } from '../snapshot.ts';
import { desiredTenantObjects } from './desired.ts';
import { snapshot as makeSnapshot, site, testConfig } from './fixtures.ts';

const baseSnapshot = makeSnapshot({ sites: [] });

function withSftp(snapshot: CustomerSnapshot, extra: Partial<CustomerSnapshot> = {}): CustomerSnapshot {
  return { ...snapshot, sftp: { enabled: true }, ...extra };
}

const sftpOf = (snapshot: CustomerSnapshot) =>
  desiredTenantObjects(snapshot, testConfig).find(
    (o) => o.kind === 'StatefulSet' && o.metadata.name === 'sftp',
  );

describe('the customer SFTP pod', () => {
  it('exists only once the customer has SFTP credentials, and not while it is being deleted', () => {
    const snapshot = { ...baseSnapshot, sites: [site({ name: 'blog', template: 'php' })] };
    expect(sftpOf(snapshot)).toBeUndefined();
    expect(sftpOf(withSftp(snapshot))).toBeDefined();
    expect(sftpOf(withSftp(snapshot, { deleting: true }))).toBeUndefined();
  });

  it("mounts each of the customer's site volumes at /sites/{site} and nothing else, as the site user", () => {
    const snapshot = withSftp({
      ...baseSnapshot,
      sites: [site({ name: 'shop', template: 'static' }), site({ name: 'blog', template: 'php' })],
    });
    // biome-ignore lint/suspicious/noExplicitAny: reading the nested pod spec the test checks
    const spec = (sftpOf(snapshot) as any).spec;
    const pod = spec.template.spec;
    expect(spec.replicas).toBe(1);
    expect(pod.volumes).toEqual([
      { name: 'site-blog', persistentVolumeClaim: { claimName: 'blog-data' } },
      { name: 'site-shop', persistentVolumeClaim: { claimName: 'shop-data' } },
    ]);
    expect(pod.containers[0].volumeMounts).toEqual([
      { name: 'site-blog', mountPath: '/sites/blog' },
      { name: 'site-shop', mountPath: '/sites/shop' },
    ]);
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.containers[0].ports).toBeUndefined();
    // Pod Security "restricted".
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 82,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pod.containers[0].securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      readOnlyRootFilesystem: true,
    });
    expect(pod.containers[0].resources.limits).toEqual({ cpu: '250m', memory: '64Mi' });
  });

  it('has no pod while the customer is suspended', () => {
    // biome-ignore lint/suspicious/noExplicitAny: reading the spec the test checks
    expect((sftpOf(withSftp({ ...baseSnapshot, suspended: true })) as any).spec.replicas).toBe(0);
  });
});
