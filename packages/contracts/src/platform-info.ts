import { z } from 'zod';

/** GET /platform: what a signed-in user needs of the platform config to fill in the panel's forms. */
export const platformInfoSchema = z
  .object({
    php: z.object({
      versions: z.array(z.string()).describe('the PHP versions a php site can run'),
      defaultVersion: z.string(),
      wordpressVersions: z
        .array(z.string())
        .describe(
          'the PHP versions that have a WordPress image: what a wordpress site may choose as phpVersion (none chosen: the pinned WordPress image)',
        ),
    }),
    sftp: z.object({
      host: z.string().describe('the SFTP gateway’s public name; the login is c{customerId}'),
      port: z.number().int(),
    }),
    webmail: z.object({
      url: z.string().nullable().describe('the platform-wide webmail (log in with a mailbox); null: none'),
    }),
  })
  .meta({ id: 'PlatformInfo' });
export type PlatformInfo = z.infer<typeof platformInfoSchema>;
