import { createHash } from 'node:crypto';
import { FIELD_MANAGER } from '@hostplane/domain';
import type { LiveObject } from './port.ts';

/** JSON with object keys sorted at every level, so equal values hash equally. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function shortHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, 32);
}

/**
 * Fingerprint of the set of fields our field manager owns on a live object. Server-side apply
 * moves a field's ownership to whoever changes it by hand, so a changed fingerprint means drift
 * even when the desired-hash annotation still matches. Null when we own nothing there.
 */
export function ownedFieldsFingerprint(live: LiveObject): string | null {
  const entry = live.metadata.managedFields?.find(
    (field) => field.manager === FIELD_MANAGER && field.operation === 'Apply' && !field.subresource,
  );
  return entry?.fieldsV1 === undefined ? null : shortHash(entry.fieldsV1);
}
