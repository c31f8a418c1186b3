import { describe, expect, it } from 'vitest';
import { errorForStatus } from './client/powerdns-client.ts';
import { createBody, observedRrsets, parseDsRecord, toPdnsChange } from './mapping.ts';

describe('PowerDNS mapping', () => {
  it('creates a zone with our mark, SOA-EDIT-API, rectify and the NS as an rrset', () => {
    const body = createBody({
      name: 'example.com',
      kind: 'Native',
      soaEditApi: 'DEFAULT',
      account: 'hostplane:cust-1001',
      dnssec: true,
      rrsets: [{ name: 'example.com', type: 'NS', ttl: 3600, records: ['ns1.hp.test.'], managed: true }],
    });
    expect(body).toEqual({
      name: 'example.com',
      kind: 'Native',
      account: 'hostplane:cust-1001',
      soa_edit_api: 'DEFAULT',
      api_rectify: true,
      dnssec: true,
      nameservers: [],
      rrsets: [
        {
          name: 'example.com.',
          type: 'NS',
          changetype: 'REPLACE',
          ttl: 3600,
          records: [{ content: 'ns1.hp.test.', disabled: false }],
        },
      ],
    });
  });

  it.each([
    [
      { changetype: 'DELETE' as const, name: 'a.example.com', type: 'A' },
      { name: 'a.example.com.', type: 'A', changetype: 'DELETE' },
    ],
    [
      { changetype: 'REPLACE' as const, name: 'a.example.com', type: 'A', ttl: 60, records: ['192.0.2.1'] },
      {
        name: 'a.example.com.',
        type: 'A',
        changetype: 'REPLACE',
        ttl: 60,
        records: [{ content: '192.0.2.1', disabled: false }],
      },
    ],
  ])('maps %j', (change, wire) => {
    expect(toPdnsChange(change)).toEqual(wire);
  });

  it('makes a disabled record differ from any desired content', () => {
    const zone = {
      rrsets: [{ name: 'x.', type: 'A', ttl: 60, records: [{ content: '192.0.2.1', disabled: true }] }],
    };
    expect(observedRrsets(zone as Parameters<typeof observedRrsets>[0])[0]?.records).toEqual([
      ';disabled 192.0.2.1',
    ]);
  });

  it.each([
    [
      '16485 13 2 4780330F2EF0',
      {
        keyTag: 16485,
        algorithm: 13,
        digestType: 2,
        digest: '4780330f2ef0',
        content: '16485 13 2 4780330f2ef0',
      },
    ],
    ['garbage', null],
  ])('parses DS %j', (content, ds) => {
    expect(parseDsRecord(content)).toEqual(ds);
  });

  it.each([
    [404, 'NotFound', false],
    [409, 'Conflict', false],
    [422, 'Invalid', false],
    [400, 'Invalid', false],
    [401, 'Forbidden', false],
    [403, 'Forbidden', false],
    [429, 'Unavailable', true],
    [500, 'Unavailable', true],
    [503, 'Unavailable', true],
  ])('maps HTTP %i to %s (retryable: %s)', (status, kind, retryable) => {
    const error = errorForStatus(status, 'GET /zones', 'detail');
    expect(error).toMatchObject({ kind, retryable, status });
    expect(error.message).toBe(`PowerDNS GET /zones: ${status} detail`);
  });
});
