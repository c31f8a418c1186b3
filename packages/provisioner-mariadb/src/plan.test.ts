import { describe, expect, it } from 'vitest';
import { planServerChanges } from './plan.ts';

const H1 = `*${'A'.repeat(40)}`;
const H2 = `*${'B'.repeat(40)}`;

describe('planServerChanges', () => {
  it('creates what is missing, in dependency order', () => {
    expect(
      planServerChanges(
        { databases: ['shop'], users: [{ name: 'shop', hash: H1, database: 'shop' }] },
        { databases: [], users: [], grants: [] },
      ),
    ).toEqual([
      { op: 'createDatabase', database: 'shop' },
      { op: 'createUser', user: 'shop', hash: H1 },
      { op: 'grant', user: 'shop', database: 'shop' },
    ]);
  });

  it('is empty when converged, resets a changed password, drops what is no longer wanted', () => {
    const desired = { databases: ['shop'], users: [{ name: 'shop', hash: H1, database: 'shop' }] };
    const observed = {
      databases: ['shop'],
      users: [{ name: 'shop', hash: H1.toLowerCase() }],
      grants: [{ user: 'shop', database: 'shop' }],
    };
    expect(planServerChanges(desired, observed)).toEqual([]);
    expect(planServerChanges({ ...desired, users: [{ ...desired.users[0]!, hash: H2 }] }, observed)).toEqual([
      { op: 'setPassword', user: 'shop', hash: H2 },
    ]);
    expect(planServerChanges({ databases: [], users: [] }, observed)).toEqual([
      { op: 'dropUser', user: 'shop' },
      { op: 'dropDatabase', database: 'shop' },
    ]);
  });
});
