export { API_PREFIX, type BuildAppDeps, buildApp, type RouteEntry, routeTable } from './app.ts';
export { type CreatedToken, createApiToken, type NewTokenInput } from './auth/api-tokens.ts';
export { hashMailPassword, hashPassword, verifyPassword } from './auth/passwords.ts';
export { TOKEN_PREFIX } from './auth/secrets.ts';
export { createAdminUser, createUser, findUserIdByEmail } from './auth/users.ts';
export { type ApiConfig, type ApiConfigInput, apiConfigSchema } from './config.ts';
export * from './errors.ts';
export { IDEMPOTENCY_RETENTION_HOURS, purgeExpiredRows } from './housekeeping.ts';
export { createRegistry } from './observability.ts';
