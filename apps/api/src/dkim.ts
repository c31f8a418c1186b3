import { generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';
import { nextDkimSelector } from '@hostplane/domain';

const generate = promisify(generateKeyPair);

export interface DkimKey {
  selector: string;
  /** base64 DER SubjectPublicKeyInfo: the p= value of the TXT record. */
  publicKey: string;
  privateKeyPem: string;
}

/**
 * A domain's DKIM key (RSA 2048, DESIGN §3), generated once when mail is turned on and kept in
 * its row so the desired state stays a pure function of the rows. Runs in libuv's thread pool. The
 * selector is the domain rule's (`nextDkimSelector`, the same a rotation takes).
 */
export async function generateDkimKey(now = new Date()): Promise<DkimKey> {
  const { publicKey, privateKey } = await generate('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'der' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return {
    selector: nextDkimSelector([], now),
    publicKey: publicKey.toString('base64'),
    privateKeyPem: privateKey,
  };
}
