import { z } from 'zod';

// Connection settings of the PowerDNS API (the composition root fills them from PDNS_API_URL and
// PDNS_API_KEY). The platform's DNS policy settings are `dnsPlatformConfigSchema` in @hostplane/domain,
// re-exported here so the worker can import both from this room.

export {
  type DnsPlatformConfig,
  type DnsPlatformConfigInput,
  dnsPlatformConfigSchema,
} from '@hostplane/domain';

export const powerDnsConnectionSchema = z.object({
  apiUrl: z.url(),
  apiKey: z.string().min(1),
  serverId: z.string().default('localhost'),
  timeoutMs: z.number().int().positive().default(10_000),
});

export type PowerDnsConnection = z.output<typeof powerDnsConnectionSchema>;
