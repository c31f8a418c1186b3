import { describe, expect, it } from 'vitest';
import { openSecret, openStoredSecret, sealSecret } from './sealed.ts';

const key = 'a-secret-key-of-enough-length';
const pem = '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n';

describe('sealed secrets', () => {
  it('seals with a fresh nonce and opens again', () => {
    const one = sealSecret(pem, key);
    expect(one).toMatch(/^v1:/);
    expect(one).not.toContain('PRIVATE KEY');
    expect(sealSecret(pem, key)).not.toBe(one);
    expect(openSecret(one, key)).toBe(pem);
  });

  it('refuses a wrong key and a missing one', () => {
    const sealed = sealSecret(pem, key);
    expect(() => openSecret(sealed, `${key}x`)).toThrow();
    expect(() => openSecret(sealed, undefined)).toThrow(/secret key/);
  });

  it('keeps a value marked plain without a key, and opens a PEM stored before sealing', () => {
    expect(openSecret(sealSecret('seed', undefined), undefined)).toBe('seed');
    expect(openStoredSecret(pem, key)).toBe(pem);
    expect(openStoredSecret(sealSecret(pem, key), key)).toBe(pem);
  });
});
