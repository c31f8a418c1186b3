import { customerIdParams, putSftpBody, sftpSchema } from '@hostplane/contracts';
import { readSftpCredentials, type SftpCredentials, sftpEnabled, writeSftpCredentials } from '@hostplane/db';
import { formatSftpPublicKey, SFTP_SITES_ROOT, sftpUsername } from '@hostplane/domain';
import type { z } from 'zod';
import { hashPassword } from '../auth/passwords.ts';
import { findCustomer } from '../http/customers.ts';
import { answers } from '../http/responses.ts';
import type { ApiInstance } from '../types.ts';
import { changeForCustomer, customerTarget, scoped } from './customer-scoped.ts';
import type { RouteDeps } from './index.ts';

const tags = ['sftp'];

/** The customer's SFTP access as the API shows it: never the password or its hash. */
export function presentSftp(
  customerId: number,
  credentials: SftpCredentials | null,
): z.infer<typeof sftpSchema> {
  return {
    username: sftpUsername(customerId),
    enabled: sftpEnabled(credentials),
    passwordSet: Boolean(credentials?.passwordHash),
    publicKeys: (credentials?.publicKeys ?? []).map((key) => ({
      type: key.type,
      fingerprint: key.fingerprint,
      comment: key.comment,
      bits: key.bits,
      key: formatSftpPublicKey(key),
    })),
    root: SFTP_SITES_ROOT,
    updatedAt: credentials ? credentials.updatedAt.toISOString() : null,
  };
}

export function sftpRoutes(app: ApiInstance, { db }: RouteDeps): void {
  app.get(
    '/customers/:id/sftp',
    {
      config: scoped,
      schema: { tags, params: customerIdParams, response: answers({ 200: sftpSchema }, 404) },
    },
    async (req) => {
      await findCustomer(db, req.params.id);
      return presentSftp(req.params.id, await readSftpCredentials(db, req.params.id));
    },
  );

  app.put(
    '/customers/:id/sftp',
    {
      config: scoped,
      schema: {
        tags,
        params: customerIdParams,
        body: putSftpBody,
        response: answers({ 200: sftpSchema }, 403, 404, 422),
      },
    },
    async (req, reply) => {
      const { password, publicKeys } = req.body;
      // Hashed before the transaction: argon2 takes ~20 ms, the customer row stays locked less.
      const passwordHash =
        password === undefined ? undefined : password === null ? null : await hashPassword(password);
      return changeForCustomer(db, req, reply, 200, async (trx, customer) => {
        const before = presentSftp(customer.id, await readSftpCredentials(trx, customer.id));
        const after = await writeSftpCredentials(trx, customer.id, { passwordHash, publicKeys });
        return {
          body: presentSftp(customer.id, after),
          action: 'sftp.update',
          target: customerTarget(customer.id, 'sftp', sftpUsername(customer.id)),
          before,
        };
      });
    },
  );
}
