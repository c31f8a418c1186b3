import { describe, expect, it } from 'vitest';
import type { DomainRow } from '../snapshot.ts';
import { planZoneKeyRestore, planZoneRowRestore, zoneCopyOf } from './zones.ts';

const domain = (records: DomainRow['records'], dnssec = false): DomainRow => ({
  name: 'a.example',
  dns: true,
  mail: false,
  dnssec,
  verified: true,
  records,
  dkim: null,
});
const www = { name: 'www.a.example', type: 'A' as const, ttl: 300, records: ['192.0.2.1'] };
const txt = { name: 'a.example', type: 'TXT' as const, ttl: 300, records: ['"b"', '"a"'] };
const key = (dnskey: string, id?: number) => ({
  keytype: 'csk',
  active: true,
  published: true,
  dnskey,
  privatekey: `private ${dnskey}`,
  ...(id === undefined ? {} : { id }),
});

describe('zones in customer backups', () => {
  it('copies the rows sorted, so two copies of the same rows are equal', () => {
    expect(zoneCopyOf(domain([www, txt], true))).toEqual({
      zone: 'a.example',
      dnssec: true,
      records: [{ ...txt, records: ['"a"', '"b"'] }, www],
    });
  });

  it.each([
    ['a deleted rrset comes back', [txt], [www], null],
    ['a changed rrset goes back', [{ ...www, ttl: 60 }, txt], [www], null],
    ['records in another order are the same', [{ ...txt, records: ['"a"', '"b"'] }, www], [], null],
    ['an rrset made after the backup stays', [www, txt, { ...www, name: 'new.a.example' }], [], null],
  ])('%s', (_, now, written, dnssec) => {
    const copy = zoneCopyOf(domain([www, txt]));
    expect(planZoneRowRestore(copy, domain(now))).toEqual({ records: written, dnssec });
  });

  it('turns DNSSEC back on, never off (a DS may be at the registrar since)', () => {
    expect(planZoneRowRestore(zoneCopyOf(domain([], true)), domain([], false))).toEqual({
      records: [],
      dnssec: true,
    });
    expect(planZoneRowRestore(zoneCopyOf(domain([], false)), domain([], true))).toEqual({
      records: [],
      dnssec: null,
    });
  });

  it('imports the keys PowerDNS lacks and removes the others; nothing when they match', () => {
    expect(planZoneKeyRestore([key('k1')], [key('k2', 7)])).toEqual({ import: [key('k1')], delete: [7] });
    expect(planZoneKeyRestore([key('k1')], [key('k1', 3)])).toEqual({ import: [], delete: [] });
    // A backup of an unsigned zone never removes keys.
    expect(planZoneKeyRestore([], [key('k2', 7)])).toEqual({ import: [], delete: [] });
  });
});
