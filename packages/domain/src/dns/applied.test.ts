import { describe, expect, it } from 'vitest';
import type { DomainRow } from '../snapshot.ts';
import {
  appliedAfterPass,
  appliedZonesDiff,
  desiredFingerprints as fps,
  zoneFingerprint,
  zonesToRead,
} from './applied.ts';
import { dnsPlatformConfigSchema } from './config.ts';
import { desiredZones } from './desired.ts';

const config = dnsPlatformConfigSchema.parse({
  nameservers: ['ns1.hostplane.test', 'ns2.hostplane.test'],
  publicIPv4: ['192.0.2.10'],
});

function domain(name: string, over: Partial<DomainRow> = {}): DomainRow {
  return { name, dns: true, mail: false, dnssec: false, verified: true, records: [], dkim: null, ...over };
}

const zones = (domains: DomainRow[]) => desiredZones({ id: 1001, deleting: false, domains }, config);
const [a, b] = zones([domain('a.example'), domain('b.example')]);
if (!a || !b) throw new Error('two zones expected');
const appliedBoth = new Map([
  [a.name, zoneFingerprint(a)],
  [b.name, zoneFingerprint(b)],
]);

describe('zoneFingerprint', () => {
  it('is stable for the same desired zone and moves with a record, a setting or DNSSEC', () => {
    expect(zoneFingerprint(a)).toBe(zoneFingerprint(zones([domain('a.example')])[0] ?? a));
    const withRecord = zones([
      domain('a.example', {
        records: [{ name: 'app.a.example', type: 'A', ttl: 60, records: ['192.0.2.1'] }],
      }),
    ])[0];
    const signed = zones([domain('a.example', { dnssec: true })])[0];
    if (!withRecord || !signed) throw new Error('zone expected');
    expect(zoneFingerprint(withRecord)).not.toBe(zoneFingerprint(a));
    expect(zoneFingerprint(signed)).not.toBe(zoneFingerprint(a));
    expect(zoneFingerprint({ ...a, kind: 'Master' })).not.toBe(zoneFingerprint(a));
  });
});

describe('zonesToRead', () => {
  it('reads everything on a full pass', () => {
    expect(zonesToRead(fps([a, b]), appliedBoth, 'full')).toEqual({ full: true });
  });

  it('reads nothing on a change pass when every zone is applied as desired', () => {
    expect(zonesToRead(fps([a, b]), appliedBoth, 'change')).toEqual({ full: false, zones: [] });
  });

  it('reads an added zone, a changed zone and a dropped zone, nothing else', () => {
    const [c] = zones([domain('c.example')]);
    if (!c) throw new Error('zone expected');
    const changedB = { ...b, dnssec: true };
    expect(zonesToRead(fps([changedB, c]), appliedBoth, 'change')).toEqual({
      full: false,
      zones: ['a.example', 'b.example', 'c.example'],
    });
    expect(zonesToRead(fps([a, b, c]), appliedBoth, 'change')).toEqual({ full: false, zones: ['c.example'] });
  });

  it('reads every desired zone when nothing was recorded (first pass, or after a failure)', () => {
    expect(zonesToRead(fps([a, b]), new Map(), 'change')).toEqual({
      full: false,
      zones: ['a.example', 'b.example'],
    });
  });
});

describe('appliedAfterPass', () => {
  it('records what a change pass read, keeps the rest, forgets dropped and conflicting zones', () => {
    const [c] = zones([domain('c.example')]);
    if (!c) throw new Error('zone expected');
    const applied = new Map([
      [a.name, zoneFingerprint(a)],
      ['gone.example', 'x'],
    ]);
    const read = zonesToRead(fps([a, b, c]), applied, 'change');
    expect(read).toEqual({ full: false, zones: ['b.example', 'c.example', 'gone.example'] });
    const next = appliedAfterPass(fps([a, b, c]), applied, read, ['c.example']);
    expect(next).toEqual(
      new Map([
        [a.name, zoneFingerprint(a)],
        [b.name, zoneFingerprint(b)],
      ]),
    );
  });

  it('a full pass rebuilds the record from the desired zones alone', () => {
    const stale = new Map([
      [a.name, 'old'],
      ['gone.example', 'x'],
    ]);
    expect(appliedAfterPass(fps([a, b]), stale, { full: true }, [])).toEqual(appliedBoth);
    expect(appliedAfterPass(fps([]), appliedBoth, { full: true }, [])).toEqual(new Map());
  });
});

describe('appliedZonesDiff', () => {
  it('is empty when nothing moved, so a converged pass writes nothing', () => {
    expect(appliedZonesDiff(appliedBoth, new Map(appliedBoth))).toEqual({ upsert: [], remove: [] });
  });

  it('upserts changed zones and removes dropped ones', () => {
    const after = new Map([
      [a.name, 'new'],
      ['c.example', 'c'],
    ]);
    expect(appliedZonesDiff(appliedBoth, after)).toEqual({
      upsert: [
        { zone: 'a.example', fingerprint: 'new' },
        { zone: 'c.example', fingerprint: 'c' },
      ],
      remove: ['b.example'],
    });
  });
});
