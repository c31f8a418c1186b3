// OpenSSH public keys as a customer pastes them (`ssh-ed25519 AAAA… comment`, one line of
// authorized_keys without options): parsed and checked here, so the API refuses a broken key with 422
// and the SFTP gateway compares the exact key blob a client signs with.
import { createHash } from 'node:crypto';

/** Key types the gateway accepts (what OpenSSH ≥ 8.8 offers by default, minus DSA and SHA-1 only RSA sizes). */
export const SFTP_KEY_TYPES = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'ssh-rsa',
] as const;
export type SftpKeyType = (typeof SFTP_KEY_TYPES)[number];

export const MIN_RSA_BITS = 2048;
export const MAX_SFTP_KEYS = 20;
const MAX_COMMENT = 200;

export interface SftpPublicKey {
  type: SftpKeyType;
  /** The key blob, base64 as in the authorized_keys line. */
  blob: string;
  comment: string;
  /** `SHA256:` + unpadded base64 of SHA-256(blob), as `ssh-keygen -lf` prints it. */
  fingerprint: string;
  /** Bits of the key (RSA modulus, curve size, 256 for Ed25519). */
  bits: number;
}

export type ParsedKey = { ok: true; key: SftpPublicKey } | { ok: false; reason: string };

/** Reads the SSH wire format's length-prefixed strings (RFC 4251 §5). */
class WireReader {
  private offset = 0;
  constructor(private readonly buf: Buffer) {}
  string(): Buffer | null {
    if (this.offset + 4 > this.buf.length) return null;
    const length = this.buf.readUInt32BE(this.offset);
    const start = this.offset + 4;
    if (length > this.buf.length - start) return null;
    this.offset = start + length;
    return this.buf.subarray(start, this.offset);
  }
  get done(): boolean {
    return this.offset === this.buf.length;
  }
}

const CURVES: Record<string, { name: string; bits: number; pointLength: number }> = {
  'ecdsa-sha2-nistp256': { name: 'nistp256', bits: 256, pointLength: 65 },
  'ecdsa-sha2-nistp384': { name: 'nistp384', bits: 384, pointLength: 97 },
  'ecdsa-sha2-nistp521': { name: 'nistp521', bits: 521, pointLength: 133 },
};

/** Bits of an unsigned mpint (leading zero bytes ignored). */
function mpintBits(n: Buffer): number {
  let i = 0;
  while (i < n.length && n[i] === 0) i++;
  if (i === n.length) return 0;
  return (n.length - i - 1) * 8 + (32 - Math.clz32(n[i]!));
}

/** Checks the blob's own structure against its type; the key's size in bits, or a reason. */
function checkBlob(type: SftpKeyType, blob: Buffer): number | string {
  const wire = new WireReader(blob);
  const inner = wire.string();
  if (inner?.toString('latin1') !== type) return `the key data is not a ${type} key`;
  if (type === 'ssh-ed25519') {
    const point = wire.string();
    if (point?.length !== 32 || !wire.done) return 'malformed ssh-ed25519 key';
    return 256;
  }
  if (type === 'ssh-rsa') {
    const e = wire.string();
    const n = wire.string();
    if (!e || !n || !wire.done || mpintBits(e) < 2) return 'malformed ssh-rsa key';
    const bits = mpintBits(n);
    if (bits < MIN_RSA_BITS) return `RSA keys need at least ${MIN_RSA_BITS} bits (this one has ${bits})`;
    return bits;
  }
  const curve = CURVES[type]!;
  const name = wire.string();
  const point = wire.string();
  if (
    name?.toString('latin1') !== curve.name ||
    point?.length !== curve.pointLength ||
    point[0] !== 4 ||
    !wire.done
  )
    return `malformed ${type} key`;
  return curve.bits;
}

export function sshFingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** One authorized_keys line without options: `type base64 [comment]`. */
export function parseSftpPublicKey(line: string): ParsedKey {
  const text = line.trim();
  if (/[\r\n]/.test(text)) return { ok: false, reason: 'one key per entry (no line breaks)' };
  const [type = '', data = '', ...rest] = text.split(/[ \t]+/);
  if (!(SFTP_KEY_TYPES as readonly string[]).includes(type)) {
    const hint =
      type.includes('=') || type.includes('"') ? ' (authorized_keys options are not supported)' : '';
    return { ok: false, reason: `unsupported key type; expected one of ${SFTP_KEY_TYPES.join(', ')}${hint}` };
  }
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(data) || data.length % 4 !== 0)
    return { ok: false, reason: 'the key data is not base64' };
  const comment = rest.join(' ');
  if (comment.length > MAX_COMMENT)
    return { ok: false, reason: `comment longer than ${MAX_COMMENT} characters` };
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(comment))
    return { ok: false, reason: 'control characters in the comment' };
  const blob = Buffer.from(data, 'base64');
  const checked = checkBlob(type as SftpKeyType, blob);
  if (typeof checked === 'string') return { ok: false, reason: checked };
  return {
    ok: true,
    key: { type: type as SftpKeyType, blob: data, comment, fingerprint: sshFingerprint(blob), bits: checked },
  };
}

/** The line stored and shown back: type, data and comment, single spaces. */
export function formatSftpPublicKey(key: Pick<SftpPublicKey, 'type' | 'blob' | 'comment'>): string {
  return [key.type, key.blob, key.comment].filter(Boolean).join(' ');
}
