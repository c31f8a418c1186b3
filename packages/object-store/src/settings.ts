import { z } from 'zod';

/** The stack env / platform names of DESIGN.md §9: S3_ENDPOINT (URL), S3_ACCESS_KEY, S3_SECRET_KEY, S3_BUCKET. */
export const objectStoreSettingsSchema = z.object({
  /** Empty for AWS itself; a URL for any other S3 (path-style addressing). */
  endpoint: z.url().optional(),
  region: z.string().min(1).default('us-east-1'),
  accessKeyId: z.string().min(1),
  secretAccessKey: z.string().min(1),
  bucket: z
    .string()
    .regex(
      /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
      'an S3 bucket name (3–63 lower-case letters, digits, dots, hyphens)',
    ),
});
export type ObjectStoreSettings = z.infer<typeof objectStoreSettingsSchema>;

/** Reads S3_* from an environment; throws naming the missing or bad variables. */
export function objectStoreSettingsFromEnv(env: Record<string, string | undefined>): ObjectStoreSettings {
  const result = objectStoreSettingsSchema.safeParse({
    endpoint: env.S3_ENDPOINT || undefined,
    region: env.S3_REGION || undefined,
    accessKeyId: env.S3_ACCESS_KEY,
    secretAccessKey: env.S3_SECRET_KEY,
    bucket: env.S3_BUCKET,
  });
  if (result.success) return result.data;
  const names: Record<string, string> = {
    endpoint: 'S3_ENDPOINT',
    region: 'S3_REGION',
    accessKeyId: 'S3_ACCESS_KEY',
    secretAccessKey: 'S3_SECRET_KEY',
    bucket: 'S3_BUCKET',
  };
  const lines = result.error.issues.map(
    (i) => `${names[String(i.path[0])] ?? i.path.join('.')}: ${i.message}`,
  );
  throw new Error(`object store settings: ${lines.join('; ')}`);
}
