// GET /platform: the platform settings the panel's forms offer (PHP versions, the SFTP endpoint,
// the platform-wide webmail),
// read from the platform config; nothing secret.
import { platformInfoSchema } from '@hostplane/contracts';
import { wordpressPhpVersions } from '@hostplane/domain';
import { answers } from '../http/responses.ts';
import type { ApiInstance } from '../types.ts';
import type { RouteDeps } from './index.ts';

export function platformInfoRoutes(app: ApiInstance, { platform }: RouteDeps): void {
  app.get(
    '/platform',
    {
      config: { access: 'user' },
      schema: { tags: ['platform'], response: answers({ 200: platformInfoSchema }) },
    },
    async () => ({
      php: {
        versions: platform.php.versions.map((v) => v.version),
        defaultVersion: platform.php.defaultVersion,
        wordpressVersions: wordpressPhpVersions(platform.php),
      },
      sftp: { host: platform.sftp.host, port: platform.sftp.port },
      webmail: { url: platform.webmailUrl ?? null },
    }),
  );
}
