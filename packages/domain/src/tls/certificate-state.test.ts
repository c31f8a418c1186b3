import { describe, expect, it } from 'vitest';
import { certificateProbeHost, certificateState, type ServedCertificate } from './certificate-state.ts';

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
      attempts: 0,
      nextAttemptAt: null,
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

  it('is Failed, with the attempt count and the next attempt, while a failed host backs off', () => {
    const attempt = {
      host: 'a.example',
      attempts: 2,
      attemptStartedAt: null,
      nextAttemptAt: new Date('2026-11-28T12:02:00Z'),
      lastError: 'the edge still served an untrusted certificate (TRAEFIK DEFAULT CERT)',
    };
    const untrusted = { ...own, trusted: false, issuer: 'TRAEFIK DEFAULT CERT' };
    expect(certificateState('a.example', true, untrusted, now, attempt)).toEqual({
      host: 'a.example',
      state: 'Failed',
      issuer: null,
      notAfter: null,
      attempts: 2,
      nextAttemptAt: '2026-11-28T12:02:00.000Z',
      message: expect.stringMatching(
        /2 ACME attempts for a\.example failed .* next one starts at 2026-11-28T12:02:00\.000Z/,
      ),
    });
    // A running attempt is Pending with its number; once served, the count is gone.
    const running = { ...attempt, attemptStartedAt: now, nextAttemptAt: null, attempts: 3 };
    expect(certificateState('a.example', true, untrusted, now, running)).toMatchObject({
      state: 'Pending',
      attempts: 3,
      nextAttemptAt: null,
    });
    expect(certificateState('a.example', true, own, now, running)).toMatchObject({
      state: 'Issued',
      attempts: 0,
    });
    expect(certificateState('a.example', false, own, now, attempt)).toMatchObject({
      state: 'AwaitingDNS',
      attempts: 0,
    });
  });
});

describe('certificateProbeHost', () => {
  it('asks the edge for the host itself, and for a name under a wildcard (SNI carries no `*`)', () => {
    expect(certificateProbeHost('www.example.com')).toBe('www.example.com');
    expect(certificateProbeHost('*.shop.example.com')).toBe('hostplane-probe.shop.example.com');
  });
});
