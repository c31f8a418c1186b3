import { z } from 'zod';

/** The API's settings; the composition root (hostplane serve) parses them from the environment. */
export const apiConfigSchema = z.object({
  /** Secure attribute of the session cookie; turn off only for plain-HTTP development setups. */
  cookieSecure: z.boolean().default(true),
  sessionTtlSeconds: z
    .number()
    .int()
    .min(60)
    .max(30 * 86_400)
    .default(12 * 3600),
  bodyLimitBytes: z
    .number()
    .int()
    .min(1024)
    .max(10 * 1024 * 1024)
    .default(64 * 1024),
  loginWindowSeconds: z
    .number()
    .int()
    .min(1)
    .default(15 * 60),
  loginFailuresPerAccount: z.number().int().min(1).default(5),
  loginFailuresPerIp: z.number().int().min(1).default(20),
  /** Encrypts TOTP secrets at rest (any string; a 32-byte key is derived from it). */
  secretKey: z.string().min(16).optional(),
  /**
   * Whose X-Forwarded-For to believe for the client address (the per-address sign-in throttle,
   * audit): false (none: the socket's address), a number of proxy hops in front of the API (the web
   * panel's proxy is one, Traefik another), or the proxies' addresses/CIDRs. Never "everyone".
   */
  trustProxy: z
    .union([z.literal(false), z.number().int().min(1).max(16), z.array(z.string().min(1)).min(1)])
    .default(false),
  /** Under throttling an account's every password check waits this long (delayed, not refused). */
  loginThrottleDelayMs: z.number().int().min(0).max(60_000).default(3000),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  totpIssuer: z.string().default('Hostplane'),
});
export type ApiConfig = z.infer<typeof apiConfigSchema>;
export type ApiConfigInput = z.input<typeof apiConfigSchema>;
