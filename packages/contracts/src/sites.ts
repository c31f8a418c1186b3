import { SITE_NAME_MAX_LENGTH } from '@hostplane/domain';
import { z } from 'zod';
import { idParam, timestamp } from './common.ts';
import { hostName } from './names.ts';

/** An OCI image reference: [registry[:port]/]path[:tag][@sha256:digest]. */
export const imageReference = z
  .string()
  .max(255)
  .regex(
    /^(?:[a-z0-9.-]+(?::[0-9]{1,5})?\/)?[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/,
    'must be an image reference such as nginx:1.27 or ghcr.io/acme/app@sha256:…',
  );

/** DNS-1035 label of at most 40 characters: the Kubernetes names derived from it must fit (SITE_NAME_MAX_LENGTH). */
export const siteName = z
  .string()
  .min(1)
  .max(SITE_NAME_MAX_LENGTH)
  .regex(/^[a-z]([-a-z0-9]*[a-z0-9])?$/, 'lowercase letters, digits and "-", starting with a letter');

export const siteTemplate = z.enum(['static', 'php', 'wordpress', 'image']);

const siteDomains = z.array(hostName).max(50);

/**
 * What a custom image asks of its container's security context. Checked against Pod Security
 * "restricted" (a root uid or an added capability is refused with the field); not stored: the
 * platform always runs site containers with its own restricted context.
 */
export const siteSecurityContext = z
  .object({
    runAsUser: z.number().int().min(0).optional(),
    runAsGroup: z.number().int().min(0).optional(),
    runAsNonRoot: z.boolean().optional(),
    privileged: z.boolean().optional(),
    allowPrivilegeEscalation: z.boolean().optional(),
    readOnlyRootFilesystem: z.boolean().optional(),
    capabilities: z
      .object({
        add: z.array(z.string().max(64)).max(64).optional(),
        drop: z.array(z.string().max(64)).max(64).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

/** php.ini settings a site may choose, within its plan's bounds (checked by the API). */
export const phpSettingsSchema = z
  .object({
    memoryLimit: z
      .string()
      .regex(/^[1-9][0-9]{0,5}[KMG]$/, 'php.ini bytes such as 256M')
      .optional(),
    uploadMaxFilesize: z
      .string()
      .regex(/^[1-9][0-9]{0,5}[KMG]$/, 'php.ini bytes such as 64M')
      .optional(),
    maxExecutionTime: z.number().int().min(1).max(3600).optional(),
  })
  .strict()
  .meta({ id: 'PhpSettings' });

const phpVersion = z.string().regex(/^[0-9]+\.[0-9]+$/, 'a PHP version such as 8.4');

export const createSiteBody = z
  .object({
    name: siteName,
    template: siteTemplate,
    image: imageReference.optional(),
    port: z.number().int().min(1).max(65535).optional(),
    domains: siteDomains.default([]),
    www: z.boolean().default(false),
    replicas: z.number().int().min(0).max(20).default(1),
    database: z.boolean().default(false),
    securityContext: siteSecurityContext.optional(),
    phpVersion: phpVersion
      .optional()
      .describe("php template: one of the platform's versions; default its default"),
    php: phpSettingsSchema.optional(),
  })
  .strict()
  .superRefine((b, ctx) => {
    if (b.template === 'image' && !b.image)
      ctx.addIssue({ code: 'custom', path: ['image'], message: 'required for template image' });
    if (b.template !== 'image' && b.image)
      ctx.addIssue({ code: 'custom', path: ['image'], message: 'only for template image' });
    if (b.template !== 'image' && b.port)
      ctx.addIssue({ code: 'custom', path: ['port'], message: 'only for template image' });
  });
export type CreateSiteBody = z.infer<typeof createSiteBody>;

export const updateSiteBody = z
  .object({
    image: imageReference.optional(),
    port: z.number().int().min(1).max(65535).optional(),
    domains: siteDomains.optional(),
    www: z.boolean().optional(),
    replicas: z.number().int().min(0).max(20).optional(),
    database: z.boolean().optional(),
    /**
     * With database: false, also delete the database's data. Without it the data (volume and
     * password) is kept, and turning the database on again finds it.
     */
    deleteData: z.boolean().optional(),
    securityContext: siteSecurityContext.optional(),
    /** A change rolls the site's pods one by one (no downtime). */
    phpVersion: phpVersion.optional(),
    /** Replaces the site's php.ini settings ({} clears them). */
    php: phpSettingsSchema.optional(),
  })
  .strict()
  .refine((b) => Object.values(b).some((v) => v !== undefined), 'give at least one field')
  .refine((b) => b.deleteData !== true || b.database === false, {
    path: ['deleteData'],
    message: 'only together with database: false',
  });
export type UpdateSiteBody = z.infer<typeof updateSiteBody>;

export const siteParams = z.object({ id: idParam, name: siteName }).strict();

/** What the Kubernetes target last observed; unknown fields pass through as the target grows. */
export const siteStatusSchema = z
  .looseObject({
    state: z.string().describe('Ready | Progressing | Suspended | Failed'),
    reason: z.string(),
    message: z.string(),
    observedGeneration: z.number().int(),
    updatedAt: timestamp,
  })
  .meta({ id: 'SiteStatus' });

export const siteSchema = z
  .object({
    name: z.string(),
    template: siteTemplate,
    image: z.string().nullable(),
    port: z.number().int().nullable(),
    domains: z.array(z.string()),
    www: z.boolean(),
    replicas: z.number().int(),
    database: z.boolean(),
    phpVersion: z.string().nullable(),
    php: phpSettingsSchema.nullable(),
    databaseData: z
      .enum(['active', 'retained', 'none'])
      .describe('active: the database runs; retained: off, its data kept; none: no data'),
    status: siteStatusSchema.nullable(),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ id: 'Site' });
export type Site = z.infer<typeof siteSchema>;
