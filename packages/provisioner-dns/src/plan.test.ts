import type { DesiredZone } from '@hostplane/domain';
import { describe, expect, it } from 'vitest';
import { countPlanChanges, emptyPlan, type ObservedZone, planZoneChanges } from './plan.ts';

const account = 'hostplane:cust-1001';
const soa = 'ns1.hp.test. hostmaster.hp.test. 0 10800 3600 604800 3600';

function desired(name: string, over: Partial<DesiredZone> = {}): DesiredZone {
  return {
    name,
    kind: 'Native',
    soaEditApi: 'DEFAULT',
    account,
    dnssec: false,
    rrsets: [
      { name, type: 'A', ttl: 3600, records: ['192.0.2.10'], managed: false },
      { name, type: 'SOA', ttl: 3600, records: [soa], managed: true },
      { name, type: 'TXT', ttl: 3600, records: ['"a" "b"'], managed: false },
    ],
    ...over,
  };
}

/** What PowerDNS answers for the same data, spelled its own way. */
function observed(name: string, over: Partial<ObservedZone> = {}): ObservedZone {
  return {
    name,
    account,
    kind: 'Native',
    soaEditApi: 'DEFAULT',
    dnssec: false,
    rrsets: [
      { name: `${name.toUpperCase()}.`, type: 'TXT', ttl: 3600, records: ['"a"   "b"'] },
      {
        name: `${name}.`,
        type: 'SOA',
        ttl: 3600,
        records: ['NS1.hp.test. hostmaster.hp.test. 2026112605 10800 3600 604800 3600'],
      },
      { name: `${name}.`, type: 'A', ttl: 3600, records: ['192.0.2.10'] },
    ],
    ...over,
  };
}

describe('planZoneChanges', () => {
  it('plans nothing when both sides hold the same data spelled differently (SOA serial ignored)', () => {
    const plan = planZoneChanges([desired('example.com')], [observed('example.com')], account);
    expect(plan).toEqual(emptyPlan());
    expect(countPlanChanges(plan)).toBe(0);
  });

  it('creates missing zones and deletes only our own zones that are no longer desired', () => {
    const zones = [
      observed('gone.example', { rrsets: [] }),
      observed('foreign.example', { account: 'someone-else', rrsets: null }),
      observed('other-customer.example', { account: 'hostplane:cust-1002', rrsets: null }),
    ];
    const plan = planZoneChanges([desired('new.example')], zones, account);
    expect(plan.create.map((z) => z.name)).toEqual(['new.example']);
    expect(plan.delete).toEqual(['gone.example']);
    expect(countPlanChanges(plan)).toBe(2);
  });

  it('reports a desired zone held by someone else as a conflict and never touches it', () => {
    const plan = planZoneChanges(
      [desired('taken.example')],
      [observed('taken.example', { account: '' })],
      account,
    );
    expect(plan).toEqual({ ...emptyPlan(), conflicts: [{ zone: 'taken.example', account: '' }] });
  });

  it.each([
    [
      'a changed record → one REPLACE',
      {
        rrsets: [
          observed('x.example').rrsets![0]!,
          observed('x.example').rrsets![1]!,
          { name: 'x.example.', type: 'A', ttl: 3600, records: ['192.0.2.99'] },
        ],
      },
      [{ changetype: 'REPLACE', name: 'x.example', type: 'A', ttl: 3600, records: ['192.0.2.10'] }],
    ],
    [
      'a changed TTL → one REPLACE',
      {
        rrsets: [
          observed('x.example').rrsets![0]!,
          observed('x.example').rrsets![1]!,
          { name: 'x.example.', type: 'A', ttl: 60, records: ['192.0.2.10'] },
        ],
      },
      [{ changetype: 'REPLACE', name: 'x.example', type: 'A', ttl: 3600, records: ['192.0.2.10'] }],
    ],
    [
      'an extra rrset injected by hand → DELETE',
      {
        rrsets: [
          ...observed('x.example').rrsets!,
          { name: 'drift.x.example.', type: 'A', ttl: 60, records: ['192.0.2.1'] },
        ],
      },
      [{ changetype: 'DELETE', name: 'drift.x.example', type: 'A' }],
    ],
    [
      'a changed SOA timer → REPLACE keeping the zone serial',
      {
        rrsets: [
          observed('x.example').rrsets![0]!,
          observed('x.example').rrsets![2]!,
          {
            name: 'x.example.',
            type: 'SOA',
            ttl: 3600,
            records: ['ns1.hp.test. hostmaster.hp.test. 2026112605 999 3600 604800 3600'],
          },
        ],
      },
      [
        {
          changetype: 'REPLACE',
          name: 'x.example',
          type: 'SOA',
          ttl: 3600,
          records: ['ns1.hp.test. hostmaster.hp.test. 2026112605 10800 3600 604800 3600'],
        },
      ],
    ],
  ])('%s', (_label, over, changes) => {
    const plan = planZoneChanges(
      [desired('x.example')],
      [observed('x.example', over as Partial<ObservedZone>)],
      account,
    );
    expect(plan).toEqual({ ...emptyPlan(), patch: [{ zone: 'x.example', changes }] });
  });

  it('turns DNSSEC on and off and repairs zone settings', () => {
    const plan = planZoneChanges(
      [desired('on.example', { dnssec: true }), desired('off.example')],
      [observed('on.example', { kind: 'Master' }), observed('off.example', { dnssec: true, soaEditApi: '' })],
      account,
    );
    expect(plan.dnssec).toEqual([
      { zone: 'on.example', enabled: true },
      { zone: 'off.example', enabled: false },
    ]);
    expect(plan.settings).toEqual([
      { zone: 'on.example', kind: 'Native', soaEditApi: 'DEFAULT' },
      { zone: 'off.example', kind: 'Native', soaEditApi: 'DEFAULT' },
    ]);
    expect(plan.patch).toEqual([]);
  });
});
