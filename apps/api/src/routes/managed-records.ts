import { loadCustomerSnapshot, type PanelDatabase } from '@hostplane/db';
import { managedReason, recordContextFor, recordsView } from '@hostplane/domain';
import { dnsConfigOf, type PlatformConfig } from '@hostplane/platform';
import type { Kysely } from 'kysely';

export interface ManagedRrset {
  name: string;
  type: string;
  ttl: number;
  records: string[];
  managed: true;
  reason: string;
}

/**
 * The platform's read-only rrsets at or below `domainName`, computed from the rows with the same pure
 * function the DNS target serves them with (recordsView): the listing shows what DNS answers,
 * without asking PowerDNS inside a request.
 */
export async function managedRrsets(
  db: Kysely<PanelDatabase>,
  customerId: number,
  domainName: string,
  platform: PlatformConfig,
): Promise<ManagedRrset[]> {
  const snapshot = await loadCustomerSnapshot(db, customerId);
  if (!snapshot) return [];
  const scope = recordContextFor(snapshot.domains, domainName);
  return recordsView(snapshot, dnsConfigOf(platform), domainName)
    .filter((r) => r.managed)
    .map((r) => ({
      name: r.name,
      type: r.type,
      ttl: r.ttl,
      records: r.records,
      managed: true as const,
      reason: managedReason(r.name, r.type, scope) ?? 'a default record of the platform',
    }));
}
