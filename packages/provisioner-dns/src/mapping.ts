import type { DesiredZone, Rrset } from '@hostplane/domain';
import type { PdnsRrsetChange, PdnsZone, PdnsZoneCreate } from './client/powerdns-schemas.ts';
import type { ZonePlan } from './plan.ts';
import type { DsRecord } from './port.ts';

// Pure translation between our plain data and PowerDNS's JSON shapes.

/** A disabled record never equals a desired one, so the planner replaces the rrset (re-enabling it). */
export function observedRrsets(zone: PdnsZone): Rrset[] {
  return zone.rrsets.map((r) => ({
    name: r.name,
    type: r.type,
    ttl: r.ttl,
    records: r.records.map((rec) => (rec.disabled ? `;disabled ${rec.content}` : rec.content)),
  }));
}

export function toPdnsChange(change: ZonePlan['patch'][number]['changes'][number]): PdnsRrsetChange {
  if (change.changetype === 'DELETE')
    return { name: `${change.name}.`, type: change.type, changetype: 'DELETE' };
  return {
    name: `${change.name}.`,
    type: change.type,
    changetype: 'REPLACE',
    ttl: change.ttl,
    records: change.records.map((content) => ({ content, disabled: false })),
  };
}

export function createBody(zone: DesiredZone): PdnsZoneCreate {
  return {
    name: zone.name,
    kind: zone.kind,
    account: zone.account,
    soa_edit_api: zone.soaEditApi,
    api_rectify: true,
    dnssec: zone.dnssec,
    // The apex NS come as an rrset of the desired zone; PowerDNS refuses both at once.
    nameservers: [],
    rrsets: zone.rrsets.map((r) => toPdnsChange({ changetype: 'REPLACE', ...r })),
  };
}

export function parseDsRecord(content: string): DsRecord | null {
  const match = /^(\d+) (\d+) (\d+) ([0-9a-fA-F]+)$/.exec(content.trim());
  if (!match) return null;
  const [, keyTag, algorithm, digestType, digest] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
  ];
  const ds = { keyTag: Number(keyTag), algorithm: Number(algorithm), digestType: Number(digestType) };
  return {
    ...ds,
    digest: digest.toLowerCase(),
    content: `${keyTag} ${algorithm} ${digestType} ${digest.toLowerCase()}`,
  };
}
