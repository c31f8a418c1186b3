import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const TOKEN_PREFIX = 'hp_';

/** A random secret of 32 bytes in base64url. */
export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * Encrypts a small secret (a TOTP seed) with AES-256-GCM under a key derived from `secretKey`.
 * Without a key the value is stored marked `plain:` so a key can be introduced later.
 */
export function sealSecret(value: string, secretKey: string | undefined): string {
  if (!secretKey) return `plain:${value}`;
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', deriveKey(secretKey), iv);
  const data = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
  return [
    'v1',
    iv.toString('base64url'),
    cipher.getAuthTag().toString('base64url'),
    data.toString('base64url'),
  ].join(':');
}

export function openSecret(sealed: string, secretKey: string | undefined): string {
  if (sealed.startsWith('plain:')) return sealed.slice('plain:'.length);
  const [version, iv, tag, data] = sealed.split(':');
  if (version !== 'v1' || !iv || !tag || !data) throw new Error('sealed secret has an unknown format');
  if (!secretKey) throw new Error('a sealed secret needs the API secret key to open');
  const decipher = createDecipheriv('aes-256-gcm', deriveKey(secretKey), Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
}

function deriveKey(secretKey: string): Buffer {
  return createHash('sha256').update(`hostplane-secret:${secretKey}`).digest();
}
