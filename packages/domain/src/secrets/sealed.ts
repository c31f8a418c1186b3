import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

// Small secrets kept in the panel's database (TOTP seeds, site database passwords) are sealed with
// AES-256-GCM under a key derived from the platform's SECRET_KEY: a dump of the database alone
// does not give them away. Shared by the API (which seals) and the worker (which opens, to hand
// the value to its target).

/**
 * Encrypts a small secret under a key derived from `secretKey`. Without a key the value is stored
 * marked `plain:` so a key can be introduced later.
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
  if (!secretKey) throw new Error('a sealed secret needs the secret key (SECRET_KEY) to open');
  const decipher = createDecipheriv('aes-256-gcm', deriveKey(secretKey), Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
}

/** True when the value is sealed (or marked plain); a bare value predates sealing. */
export function isSealed(value: string): boolean {
  return value.startsWith('v1:') || value.startsWith('plain:');
}

/** Opens a sealed value; a value stored before sealing existed is returned as it is. */
export function openStoredSecret(value: string, secretKey: string | undefined): string {
  return isSealed(value) ? openSecret(value, secretKey) : value;
}

function deriveKey(secretKey: string): Buffer {
  return createHash('sha256').update(`hostplane-secret:${secretKey}`).digest();
}
