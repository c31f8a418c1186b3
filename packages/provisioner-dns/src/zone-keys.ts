import type { PowerDnsClient } from './client/powerdns-client.ts';
import { NotFoundError } from './errors.ts';

// A signed zone's DNSSEC keys with their private parts, for customer backups (provisioner-backup's
// dns-archive.ts): the DS record at the customer's registrar names these keys, so a restore must put
// the same keys back rather than let PowerDNS generate new ones.

/** One key as PowerDNS holds it; `id` is PowerDNS's (absent in a copy read back from a backup). */
export interface ZoneKey {
  id?: number;
  keytype: string;
  active: boolean;
  published: boolean;
  /** The DNSKEY content ("flags 3 algorithm base64"): a key's identity across servers. */
  dnskey: string;
  /** ISC private-key format. */
  privatekey: string;
}

export class PowerDnsZoneKeys {
  constructor(private readonly client: PowerDnsClient) {}

  /** The zone's keys, private parts included; [] when unsigned, null when PowerDNS has no such zone. */
  async keysOf(zone: string, signal?: AbortSignal): Promise<ZoneKey[] | null> {
    try {
      const listed = await this.client.listCryptokeys(zone, signal);
      const keys: ZoneKey[] = [];
      for (const k of listed) {
        const full = await this.client.getCryptokey(zone, k.id, signal);
        keys.push({
          id: k.id,
          keytype: full.keytype,
          active: full.active,
          published: full.published,
          dnskey: full.dnskey ?? '',
          privatekey: full.privatekey,
        });
      }
      return keys.sort((a, b) => a.dnskey.localeCompare(b.dnskey));
    } catch (error) {
      if (error instanceof NotFoundError) return null;
      throw error;
    }
  }

  async importKey(zone: string, key: ZoneKey, signal?: AbortSignal): Promise<void> {
    const { keytype, active, published, privatekey } = key;
    await this.client.importCryptokey(zone, { keytype, active, published, privatekey }, signal);
  }

  async deleteKey(zone: string, id: number, signal?: AbortSignal): Promise<void> {
    await this.client.deleteCryptokey(zone, id, signal);
  }

  /** Signatures follow the new keys: rectify and drop the zone from PowerDNS's caches. */
  async settle(zone: string, signal?: AbortSignal): Promise<void> {
    await this.client.rectifyZone(zone, signal);
    await this.client.flushCache(zone, signal);
  }
}
