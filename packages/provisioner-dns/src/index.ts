import { PowerDnsClient } from './client/powerdns-client.ts';
import { type PowerDnsConnection, powerDnsConnectionSchema } from './config.ts';
import type { DnsLogger } from './logger.ts';
import { PowerDnsZones } from './powerdns-zones.ts';

export { PowerDnsClient, type PowerDnsClientOptions, type RequestCounts } from './client/powerdns-client.ts';
export * from './config.ts';
export * from './errors.ts';
export type { DnsLogger } from './logger.ts';
export { createBody as zoneCreateBody, parseDsRecord } from './mapping.ts';
export { RecursiveOwnershipLookup } from './ownership-lookup.ts';
export * from './plan.ts';
export type {
  AppliedZonesStore,
  ApplyReport,
  ChangeFailure,
  DnsZones,
  DsRecord,
  ObserveOptions,
} from './port.ts';
export { getDsRecords, PowerDnsZones } from './powerdns-zones.ts';
export { createDnsTarget, type DnsTargetDeps } from './target.ts';
export { PowerDnsZoneKeys, type ZoneKey } from './zone-keys.ts';

/** Client + DnsZones from connection settings (validated here, so a bad setting fails at boot). */
export function createPowerDnsZones(connection: unknown, logger?: DnsLogger): PowerDnsZones {
  const settings: PowerDnsConnection = powerDnsConnectionSchema.parse(connection);
  return new PowerDnsZones(new PowerDnsClient({ ...settings, ...(logger ? { logger } : {}) }));
}
/** Read-back over DNS (UDP/TCP, optional DO bit) for tests and benchmarks of any room. */
