import { describe, expect, it } from 'vitest';
import { certificateState, type ServedCertificate } from './certificate-state.ts';

const now = new Date('2026-11-28T12:00:00Z');
const own: ServedCertificate = {
  ok: true,
  trusted: true,
  namesHost: true,
  issuer: 'Pebble Intermediate CA 1a2b3c',
  notAfter: '2027-02-26T12:00:00.000Z',
};

describe('certificateState', () => {
  it('is AwaitingDNS while the host does not resolve to the platform, whatever the edge serves', () => {
    expect(certificateState('a.example', false, own, now)).toMatchObject({
      state: 'AwaitingDNS',
      issuer: null,
      notAfter: null,
    });
  });

  it('is Issued for a trusted leaf naming the host, with its issuer and expiry', () => {
    expect(certificateState('a.example', true, own, now)).toEqual({
      host: 'a.example',
      state: 'Issued',
      issuer: 'Pebble Intermediate CA 1a2b3c',
      notAfter: '2027-02-26T12:00:00.000Z',
      message: 'issued by Pebble Intermediate CA 1a2b3c, valid until 2027-02-26T12:00:00.000Z',
    });
  });

  it('is Pending while the edge serves its default certificate or one not naming the host', () => {
    expect(certificateState('a.example', true, { ...own, trusted: false }, now).state).toBe('Pending');
    expect(certificateState('a.example', true, { ...own, namesHost: false }, now)).toMatchObject({
      state: 'Pending',
      issuer: null,
    });
  });

  it('is Expired past notAfter, and Unknown when the edge does not answer', () => {
    expect(certificateState('a.example', true, { ...own, notAfter: '2026-11-28T11:59:59Z' }, now).state).toBe(
      'Expired',
    );
    expect(certificateState('a.example', true, { ok: false, error: 'ECONNREFUSED' }, now)).toMatchObject({
      state: 'Unknown',
      message: expect.stringContaining('ECONNREFUSED'),
    });
  });
});
