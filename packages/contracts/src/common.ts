import { z } from 'zod';

/** RFC 9457 problem details; `errors` carries one entry per invalid field. */
export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    requestId: z.string().optional(),
    errors: z
      .array(
        z.object({
          path: z.string().describe('dotted field path, e.g. limits.sites'),
          in: z.enum(['body', 'params', 'querystring', 'headers']).optional(),
          message: z.string(),
        }),
      )
      .optional(),
  })
  .meta({ id: 'Problem' });
export type Problem = z.infer<typeof problemSchema>;

/** Ids travel as path strings: digits only, within int4. */
export const idParam = z.coerce
  .number({ error: 'must be a positive integer' })
  .int()
  .min(1)
  .max(2_147_483_647);

export const customerIdParams = z.object({ id: idParam }).strict();

export const timestamp = z.iso.datetime({ offset: true });

/**
 * No C0/C1 control characters (Unicode's Cc class), as an explicit class: a pattern the OpenAPI
 * document can state and common generators understand, unlike \p{Cc}.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the class names exactly the control characters it refuses
const noControlCharacters = /^[^\x00-\x1f\x7f-\x9f]+$/;

export const paginationQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z
      .string()
      .max(200)
      .regex(/^[A-Za-z0-9_-]+$/, 'not a cursor from a previous page')
      .optional(),
  })
  .strict();
export type PaginationQuery = z.infer<typeof paginationQuery>;

/** A list's filter: a case-insensitive substring of the name (customers: name or email). */
export const searchTerm = z
  .string()
  .min(1)
  .max(100)
  .regex(noControlCharacters, 'no control characters')
  .describe('case-insensitive substring filter');

/** Pagination plus `?q=`. */
export const searchQuery = z
  .object({
    limit: paginationQuery.shape.limit,
    cursor: paginationQuery.shape.cursor,
    q: searchTerm.optional(),
  })
  .strict();
export type SearchQuery = z.infer<typeof searchQuery>;

/** GET /audit: pagination, and for admins a filter by customer and action. */
export const auditQuery = z
  .object({
    limit: paginationQuery.shape.limit,
    cursor: paginationQuery.shape.cursor,
    customerId: idParam.optional(),
    action: z
      .string()
      .max(64)
      .regex(/^[a-z][a-z0-9_.-]*$/, 'an action such as site.create')
      .optional(),
  })
  .strict();
export type AuditQuery = z.infer<typeof auditQuery>;

export const auditEntrySchema = z
  .object({
    id: z.number().int(),
    action: z.string(),
    target: z.string(),
    customerId: z.number().int().nullable(),
    actorUserId: z.number().int().nullable(),
    actorTokenId: z.number().int().nullable(),
    before: z.unknown().describe('the resource before the change (null for a create)'),
    after: z.unknown().describe('the resource after the change (null for a delete)'),
    requestId: z.string().nullable(),
    sourceIp: z.string().nullable(),
    createdAt: timestamp,
  })
  .meta({ id: 'AuditEntry' });
export type AuditEntryView = z.infer<typeof auditEntrySchema>;

export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}

/** A Kubernetes resource quantity ("500m", "2", "4Gi", "10G"). */
export const quantity = z
  .string()
  .max(32)
  .regex(
    /^[0-9]+(\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/,
    'must be a Kubernetes quantity, e.g. 500m, 2, 4Gi',
  );

/** The value of a quantity in base units (bytes for memory and storage), rounded up. */
export { quantityToNumber } from '@hostplane/domain';

/** A name used in Kubernetes object names: RFC 1123 label, short enough for suffixes. */
export const dnsLabel = z
  .string()
  .min(1)
  .max(40)
  .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, 'lowercase letters, digits and inner dashes (a DNS label)');

export const displayName = z
  .string()
  .trim()
  .min(1)
  .max(120)
  .regex(noControlCharacters, 'no control characters');

export const email = z
  .email()
  .max(254)
  .transform((value) => value.toLowerCase());

export const password = z.string().min(10, 'at least 10 characters').max(256);
