import { DESIRED_HASH_ANNOTATION, FIELDS_HASH_ANNOTATION, type KubeObject } from '@hostplane/domain';
import { describe, expect, it } from 'vitest';
import { canonicalJson, ownedFieldsFingerprint, shortHash } from './hash.ts';
import { applyReason, planTenantChanges, quotaEnforced, withHashAnnotations } from './plan.ts';
import type { LiveObject } from './port.ts';

const labels = { 'app.kubernetes.io/managed-by': 'hostplane', 'customer-id': '1001', tenant: 'true' };

function desired(kind: string, name: string, extra: Record<string, string> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind,
    metadata: { name, namespace: 'cust-1001', labels: { ...labels, ...extra } },
    data: { a: '1' },
  };
}

const ownFields = { 'f:data': { 'f:a': {} } };

/** What the apiserver would hold after our two applies. */
function liveOf(object: KubeObject, fieldsV1: unknown = ownFields): LiveObject {
  const annotated = withHashAnnotations(object);
  const live: LiveObject = {
    ...annotated,
    metadata: {
      ...annotated.metadata,
      managedFields: [{ manager: 'hostplane', operation: 'Apply', fieldsV1 }],
    },
  };
  live.metadata.annotations = {
    ...live.metadata.annotations,
    [FIELDS_HASH_ANNOTATION]: ownedFieldsFingerprint(live) ?? 'none',
  };
  return live;
}

describe('canonicalJson / shortHash', () => {
  it('does not depend on key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, 2], c: null } })).toBe('{"a":{"c":null,"d":[1,2]},"b":1}');
    expect(shortHash({ a: 1, b: 2 })).toBe(shortHash({ b: 2, a: 1 }));
    expect(shortHash({ a: 1 })).not.toBe(shortHash({ a: 2 }));
  });
});

describe('applyReason', () => {
  const object = desired('ConfigMap', 'c');
  it.each<[string, LiveObject | undefined, string | null]>([
    ['missing', undefined, 'missing'],
    ['converged', liveOf(object), null],
    ['changed desired state', liveOf({ ...object, data: { a: '2' } }), 'changed'],
    [
      'a field taken over by hand',
      (() => {
        const live = liveOf(object);
        live.metadata.managedFields = [
          { manager: 'hostplane', operation: 'Apply', fieldsV1: {} },
          { manager: 'kubectl-edit', operation: 'Update', fieldsV1: ownFields },
        ];
        return live;
      })(),
      'drifted',
    ],
    [
      'status written by a controller',
      (() => {
        const live = liveOf(object);
        live.metadata.managedFields?.push({
          manager: 'kube-controller-manager',
          operation: 'Update',
          subresource: 'status',
          fieldsV1: { 'f:status': {} },
        });
        return live;
      })(),
      null,
    ],
  ])('%s', (_, live, reason) => {
    expect(applyReason(object, live)).toBe(reason);
  });

  it('stores the desired hash without the annotations themselves', () => {
    const annotated = withHashAnnotations(object, 'abc');
    expect(annotated.metadata.annotations).toEqual({
      [DESIRED_HASH_ANNOTATION]: shortHash(object),
      [FIELDS_HASH_ANNOTATION]: 'abc',
    });
  });
});

describe('planTenantChanges', () => {
  it('applies nothing and prunes nothing when converged', () => {
    const objects = [desired('ConfigMap', 'a'), desired('Secret', 'b')];
    expect(
      planTenantChanges(
        objects,
        objects.map((o) => liveOf(o)),
      ),
    ).toEqual({ apply: [], prune: [] });
  });

  it('prunes owned objects no longer desired, but not those already being deleted', () => {
    const gone = liveOf(desired('ConfigMap', 'old'));
    const deleting = liveOf(desired('ConfigMap', 'leaving'));
    deleting.metadata.deletionTimestamp = '2026-01-01T00:00:00Z';
    const plan = planTenantChanges([desired('ConfigMap', 'new')], [gone, deleting]);
    expect(plan.apply.map((a) => [a.object.metadata.name, a.reason])).toEqual([['new', 'missing']]);
    expect(plan.prune.map((o) => o.metadata.name)).toEqual(['old']);
  });

  it('keeps claim-template PVCs while their site still has a database', () => {
    const claim = liveOf(
      desired('PersistentVolumeClaim', 'data-blog-db-0', {
        'hostplane.io/site': 'blog',
        'hostplane.io/claim-template': 'true',
      }),
    );
    const sts = desired('StatefulSet', 'blog-db', { 'hostplane.io/site': 'blog' });
    expect(planTenantChanges([sts], [liveOf(sts), claim]).prune).toEqual([]);
    expect(planTenantChanges([], [liveOf(sts), claim]).prune.map((o) => o.metadata.name)).toEqual([
      'blog-db',
      'data-blog-db-0',
    ]);
  });

  it('keeps the claim of a database turned off with its data kept, prunes it with deleteData', () => {
    const claim = liveOf(
      desired('PersistentVolumeClaim', 'data-blog-db-0', {
        'hostplane.io/site': 'blog',
        'hostplane.io/claim-template': 'true',
      }),
    );
    const sts = desired('StatefulSet', 'blog-db', { 'hostplane.io/site': 'blog' });
    expect(
      planTenantChanges([], [liveOf(sts), claim], new Set(['blog'])).prune.map((o) => o.metadata.name),
    ).toEqual(['blog-db']);
    expect(planTenantChanges([], [claim], new Set()).prune.map((o) => o.metadata.name)).toEqual([
      'data-blog-db-0',
    ]);
  });
});

describe('quotaEnforced', () => {
  const quota = (hard: Record<string, string>, status?: Record<string, string>): LiveObject => ({
    apiVersion: 'v1',
    kind: 'ResourceQuota',
    metadata: { name: 'plan', namespace: 'cust-1001' },
    spec: { hard },
    ...(status ? { status: { hard: status, used: {} } } : {}),
  });

  it('is false for a quota the controller has not synced yet (admission would not count pods)', () => {
    expect(quotaEnforced(quota({ pods: '4' }))).toBe(false);
  });

  it('is false while status.hard still holds the previous plan', () => {
    expect(quotaEnforced(quota({ pods: '4', secrets: '2' }, { pods: '8', secrets: '2' }))).toBe(false);
    expect(quotaEnforced(quota({ pods: '4' }, { pods: '4', secrets: '2' }))).toBe(false);
  });

  it('is true once status.hard matches spec.hard', () => {
    expect(quotaEnforced(quota({ pods: '4', secrets: '2' }, { secrets: '2', pods: '4' }))).toBe(true);
  });
});
