import { MAX_SFTP_KEYS, parseSftpPublicKey, SFTP_KEY_TYPES, type SftpPublicKey } from '@hostplane/domain';
import { z } from 'zod';
import { password, timestamp } from './common.ts';

/** One OpenSSH public key line (`ssh-ed25519 AAAA… comment`), parsed and checked by @hostplane/domain. */
export const sftpPublicKeyLine = z
  .string()
  .max(16_384)
  .transform((line, ctx): SftpPublicKey => {
    const parsed = parseSftpPublicKey(line);
    if (parsed.ok) return parsed.key;
    ctx.addIssue({ code: 'custom', message: parsed.reason });
    return z.NEVER;
  })
  .meta({
    description: `An OpenSSH public key, one line as in authorized_keys without options (${SFTP_KEY_TYPES.join(', ')}; RSA from 2048 bits)`,
    example: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAq19M5TnwlUXuqVNL9rM84xvBw+w2drJnCWR4eFko2+ alice@laptop',
  });

/**
 * PUT /customers/{id}/sftp. A field left out keeps its value; `password: null` removes the password and
 * `publicKeys: []` the keys. With neither a password nor a key the customer has no SFTP (and no SFTP pod).
 */
export const putSftpBody = z
  .object({
    password: password.nullable().optional(),
    publicKeys: z
      .array(sftpPublicKeyLine)
      .max(MAX_SFTP_KEYS)
      .optional()
      .superRefine((keys, ctx) => {
        const seen = new Set<string>();
        keys?.forEach((key, index) => {
          if (seen.has(key.fingerprint))
            ctx.addIssue({ code: 'custom', message: `duplicate key ${key.fingerprint}`, path: [index] });
          seen.add(key.fingerprint);
        });
      }),
  })
  .strict();

export const sftpKeySchema = z
  .object({
    type: z.enum(SFTP_KEY_TYPES),
    fingerprint: z.string().meta({ example: 'SHA256:YYJGtdUJXSN/VIGL3N0h6Gn+W/pApvZRbfVBhXEEiwE' }),
    comment: z.string(),
    bits: z.number().int(),
    /** The key line as stored (type, data, comment). */
    key: z.string(),
  })
  .meta({ id: 'SftpPublicKey' });

export const sftpSchema = z
  .object({
    /** The login name: `c{customerId}`. */
    username: z.string().meta({ example: 'c1001' }),
    /** True once a password or a key is set. */
    enabled: z.boolean(),
    passwordSet: z.boolean(),
    publicKeys: z.array(sftpKeySchema),
    /** `/sites/{siteName}/` is each site's document root. */
    root: z.literal('/sites'),
    updatedAt: timestamp.nullable(),
  })
  .meta({ id: 'SftpAccess' });
