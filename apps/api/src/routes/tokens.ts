import {
  createdTokenSchema,
  createTokenBody,
  pageOf,
  paginationQuery,
  tokenParams,
  tokenSchema,
} from '@hostplane/contracts';
import { deleteUserToken, pageUserTokens } from '@hostplane/db';
import { createApiToken } from '../auth/api-tokens.ts';
import { NotFoundError, UnprocessableError } from '../errors.ts';
import { mutate } from '../http/mutation.ts';
import { decodeCursor, toPage } from '../http/pagination.ts';
import { answers, noContent } from '../http/responses.ts';
import type { ApiInstance } from '../types.ts';
import type { RouteDeps } from './index.ts';

const tags = ['tokens'];
const iso = (d: Date | null) => (d ? d.toISOString() : null);

/**
 * A token never outlives the token that minted it: without expiresAt the new one expires with its
 * parent; a later expiresAt is refused (422). Sessions mint tokens of any lifetime.
 */
function tokenExpiry(requested: string | undefined, parentExpiresAt: Date | null): Date | null {
  const wanted = requested ? new Date(requested) : null;
  if (!parentExpiresAt) return wanted;
  if (!wanted) return parentExpiresAt;
  if (wanted > parentExpiresAt)
    throw new UnprocessableError(
      `a token cannot outlive the token that creates it (${parentExpiresAt.toISOString()})`,
      [{ path: 'expiresAt', in: 'body', message: `at most ${parentExpiresAt.toISOString()}` }],
    );
  return wanted;
}

export function tokenRoutes(app: ApiInstance, { db }: RouteDeps): void {
  app.get(
    '/tokens',
    {
      config: { access: 'user' },
      schema: {
        tags,
        summary: "the calling user's tokens",
        querystring: paginationQuery,
        response: answers({ 200: pageOf(tokenSchema) }),
      },
    },
    async (req) => {
      const rows = await pageUserTokens(
        db,
        req.principal!.user.id,
        decodeCursor(req.query.cursor),
        req.query.limit,
      );
      return toPage(rows, req.query, (r) => ({
        id: r.id,
        name: r.name,
        scope: r.scope,
        expiresAt: iso(r.expires_at),
        lastUsedAt: iso(r.last_used_at),
        createdAt: r.created_at.toISOString(),
      }));
    },
  );

  app.post(
    '/tokens',
    {
      config: { access: 'user' },
      schema: {
        tags,
        summary: 'a new token for the calling user; shown once (Idempotency-Key is ignored here)',
        body: createTokenBody,
        response: answers({ 201: createdTokenSchema }, 403, 422),
      },
    },
    async (req, reply) =>
      mutate(db, req, reply, {
        status: 201,
        // The answer holds the clear token, which is never stored: no Idempotency-Key replay here.
        idempotent: false,
        run: async (trx) => {
          const { name, scope } = req.body;
          const expires = tokenExpiry(req.body.expiresAt, req.principal!.tokenExpiresAt);
          const created = await createApiToken(trx, req.principal!.user.id, {
            name,
            scope,
            expiresAt: expires,
          });
          const body = {
            id: created.id,
            token: created.token,
            name,
            scope,
            expiresAt: iso(expires),
            lastUsedAt: null,
            createdAt: created.createdAt.toISOString(),
          };
          return {
            body,
            audit: {
              action: 'token.create',
              target: `user/${req.principal!.user.id}/token/${created.id}`,
              customerId: req.principal!.user.customerId,
              after: body,
            },
          };
        },
      }),
  );

  app.delete(
    '/tokens/:id',
    {
      config: { access: 'user' },
      schema: {
        tags,
        summary: "revoke one of the calling user's tokens",
        params: tokenParams,
        response: answers({ 204: noContent }, 403, 404),
      },
    },
    async (req, reply) => {
      await mutate(db, req, reply, {
        status: 204,
        run: async (trx) => {
          const gone = await deleteUserToken(trx, req.principal!.user.id, req.params.id);
          if (!gone) throw new NotFoundError(`token ${req.params.id}`);
          return {
            body: undefined,
            audit: {
              action: 'token.delete',
              target: `user/${req.principal!.user.id}/token/${gone.id}`,
              customerId: req.principal!.user.customerId,
              before: gone,
            },
          };
        },
      });
      return reply.send(null);
    },
  );
}
