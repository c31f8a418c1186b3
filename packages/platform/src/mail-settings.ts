import { z } from 'zod';

/** The Postfix, Dovecot and Rspamd renderers serve two targets (DESIGN.md §2): the cluster's
 * ConfigMaps/Secrets and the local stack's files. Only ports, paths and a few target rules differ. */
export const mailTargetSchema = z.enum(['cluster', 'local']);
export type MailTarget = z.infer<typeof mailTargetSchema>;

/** One rendered configuration file. `sensitive` files hold credentials: a Secret in the cluster,
 * mode 0640 locally. */
export interface RenderedFile {
  name: string;
  content: string;
  sensitive: boolean;
  /** A program (mode 0755 locally, a 0555 volume in the pod). */
  executable?: boolean;
}

/** The mail root in the cluster's Dovecot pods (a Longhorn volume). */
export const CLUSTER_MAIL_ROOT = '/var/mail/vhosts';

export const portSchema = z.number().int().min(1).max(65535);

// Paths end up unquoted in Postfix/Dovecot files and inside SQL string literals: keep them plain.
export const absolutePathSchema = z
  .string()
  .regex(/^\/[A-Za-z0-9._\-/+@]*$/, 'an absolute path of letters, digits and ._-/+@');

export const hostSchema = z
  .string()
  .regex(/^[A-Za-z0-9.\-:]+$/, 'a host name or IP address')
  .max(253);

export const endpointSchema = z.object({ host: hostSchema, port: portSchema });
export type Endpoint = z.infer<typeof endpointSchema>;

// Credentials go verbatim into `key = value` lines and Dovecot's connect string (space separated).
const credentialSchema = z.string().regex(/^[^\s"'\\#]+$/, 'no whitespace, quotes, backslashes or #');

export const mailDbSchema = z.object({
  host: hostSchema,
  port: portSchema,
  database: z.string().regex(/^[A-Za-z0-9_]+$/),
  user: credentialSchema,
  password: credentialSchema,
});
export type MailDb = z.infer<typeof mailDbSchema>;

export const tlsFilesSchema = z.object({ certPath: absolutePathSchema, keyPath: absolutePathSchema });

export function header(target: MailTarget, comment = '#'): string {
  return `${comment} Rendered by @hostplane/platform for target "${target}". Do not edit: it is overwritten.\n`;
}
