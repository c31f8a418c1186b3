import type { PanelDatabase, Role, TokenScope } from '@hostplane/db';
import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import type { ApiConfig } from './config.ts';

/** Who may call a route. `customer` routes carry `{id}` of a customer: other customers get 404. */
export type Access = 'public' | 'user' | 'admin';

export interface AuthUser {
  id: number;
  email: string;
  role: Role;
  customerId: number | null;
  totpEnabled: boolean;
}

export interface Principal {
  user: AuthUser;
  via: 'session' | 'token';
  /** read tokens cannot mutate; sessions are always write. */
  scope: TokenScope;
  tokenId: number | null;
  /** When the calling token expires (null: never, or a session). */
  tokenExpiresAt: Date | null;
  sessionHash: string | null;
  csrfToken: string | null;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
    /** The route's `:id` is a customer id: a customer user may only use its own. */
    customerScoped?: boolean;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyInstance {
    /** The platform's SECRET_KEY: stored idempotent answers are sealed with it (they may hold a password shown once). */
    secretKey: string | undefined;
  }
}

export type ApiInstance = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;

export interface RouteContext {
  db: Kysely<PanelDatabase>;
  config: ApiConfig;
}
