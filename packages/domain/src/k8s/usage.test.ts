import { describe, expect, it } from 'vitest';
import { snapshot, testConfig } from './fixtures.ts';
import { planQuotaConflicts, tenantUsage } from './usage.ts';

const base = snapshot();
const limits = base.plan.limits;

describe('tenantUsage', () => {
  it('sums replicas × container resources and volumes of the fixture customer', () => {
    const usage = tenantUsage(base, testConfig);
    // blog: 2 × (nginx 250m + wordpress 500m) + db 500m; home 250m; shop 250m + 500m; api 500m
    expect(usage['limits.cpu']).toBeCloseTo(3.5);
    expect(usage.pods).toBe(6);
    // 4 site volumes of 1Gi + one 2Gi database volume
    expect(usage['requests.storage']).toBe(6 * 2 ** 30);
    expect(usage.persistentvolumeclaims).toBe(5);
  });
});

describe('planQuotaConflicts', () => {
  it('accepts a plan the sites fit in', () => {
    expect(planQuotaConflicts(base, { ...limits, cpu: '4', memory: '8Gi' }, testConfig)).toEqual([]);
  });

  it('names every resource a downgrade would be over', () => {
    const conflicts = planQuotaConflicts(
      base,
      { ...limits, cpu: '1', storage: '5Gi', sites: 2, databases: 0 },
      testConfig,
    );
    expect(conflicts.map((c) => c.resource)).toEqual([
      'databases',
      'limits.cpu',
      'persistentvolumeclaims',
      'requests.storage',
      'services',
      'sites',
    ]);
    expect(conflicts.find((c) => c.resource === 'sites')).toEqual({ resource: 'sites', used: 4, limit: 2 });
  });

  it('counts a suspended customer as running (resuming must fit)', () => {
    const suspended = { ...base, suspended: true };
    expect(
      planQuotaConflicts(suspended, { ...limits, cpu: '1' }, testConfig).map((c) => c.resource),
    ).toContain('limits.cpu');
  });
});
