import type { RenderedFile } from '../mail-settings.ts';
import { renderLocalD } from './local-d.ts';
import {
  type DkimSelectorEntry,
  dkimSelectorEntrySchema,
  type IdentityEntry,
  identityEntrySchema,
  type RspamdSettingsInput,
  rspamdSettingsSchema,
  type SendLimitEntry,
  sendLimitEntrySchema,
} from './settings.ts';

export { SENDER_IDENTITY_LUA } from './identity-lua.ts';
export {
  type DkimSelectorEntry,
  type IdentityEntry,
  NETWORK_MODULES,
  type RspamdSettings,
  type RspamdSettingsInput,
  type SendLimitEntry,
} from './settings.ts';

/** Rspamd's local.d overrides (names relative to $LOCAL_CONFDIR). */
export function renderRspamd(input: RspamdSettingsInput): RenderedFile[] {
  return renderLocalD(rspamdSettingsSchema.parse(input));
}

/** The DKIM selector map: one `domain selector` line per signing domain, sorted for stable output. */
export function renderDkimSelectorMap(entries: DkimSelectorEntry[]): string {
  const lines = entries
    .map((entry) => dkimSelectorEntrySchema.parse(entry))
    .sort((a, b) => a.domain.localeCompare(b.domain))
    .map((entry) => `${entry.domain} ${entry.selector}`);
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

/** The per-user send limits map: `address messages-per-hour` lines (virtual_users.send_limit_per_hour). */
export function renderSendLimitsMap(entries: SendLimitEntry[]): string {
  const lines = entries
    .map((entry) => sendLimitEntrySchema.parse(entry))
    .sort((a, b) => a.address.localeCompare(b.address))
    .map((entry) => `${entry.address} ${entry.perHour}`);
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

/** The identity map: `key value` lines (login/domain → customer id, forward → limit), sorted by key. */
export function renderIdentityMap(entries: IdentityEntry[]): string {
  const lines = entries
    .map((entry) => identityEntrySchema.parse(entry))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((entry) => `${entry.key} ${entry.value}`);
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}
