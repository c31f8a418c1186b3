// The local stack's projection of the DKIM Secrets and send limits, like a kubelet volume: key files
// `<keysDir>/<domain>.<selector>.key`, the selector map and the send-limits map Rspamd re-reads.
// Each map is shared by every customer: a customer's write replaces only the lines of its domains.
import { chown, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { DkimSigningKey } from '@hostplane/domain';
import {
  type IdentityEntry,
  renderDkimSelectorMap,
  renderIdentityMap,
  renderSendLimitsMap,
  type SendLimitEntry,
} from '@hostplane/platform';
import { type DkimKeyStore, identityKeyDomain, type RspamdMaps } from '@hostplane/provisioner-mail';
import { mailPathsOf } from '../mail-paths.ts';

export interface RspamdFilesOptions {
  /** `<stateDir>/mail/rspamd/dkim`, owned by Rspamd's user (new files take the folder's owner). */
  keysDir: string;
  /** Defaults to `<keysDir>/selectors.map`. */
  selectorMap?: string;
  /** `<stateDir>/mail/rspamd/send_limits.map`; null leaves send limits alone. */
  sendLimitsMap?: string | null;
  /** `<stateDir>/mail/rspamd/identities.map` (who may send as what); null leaves it alone. */
  identityMap?: string | null;
}

/** `<stateDir>/mail/rspamd/…` of a local stack (the files the rspamd component reads). */
export function rspamdFilesOfStack(stateDir: string): Required<RspamdFilesOptions> {
  const paths = mailPathsOf(stateDir);
  return {
    keysDir: paths.dkimKeys,
    selectorMap: paths.dkimSelectorMap,
    sendLimitsMap: paths.sendLimitsMap,
    identityMap: paths.identityMap,
  };
}

function parseLines(text: string): [string, string][] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => line.split(/\s+/) as [string, string]);
}

const domainOf = (address: string) => address.slice(address.lastIndexOf('@') + 1);

export class RspamdDkimFiles implements DkimKeyStore, RspamdMaps {
  private readonly keysDir: string;
  private readonly selectorMap: string;
  private readonly sendLimitsMap: string | null;
  private readonly identityMap: string | null;
  /** Serialises read-modify-write of the shared maps within this process. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: RspamdFilesOptions) {
    this.keysDir = options.keysDir;
    this.selectorMap = options.selectorMap ?? path.join(options.keysDir, 'selectors.map');
    this.sendLimitsMap = options.sendLimitsMap ?? null;
    this.identityMap = options.identityMap ?? null;
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async readMap(file: string): Promise<[string, string][]> {
    try {
      return parseLines(await readFile(file, 'utf8'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  }

  /** Writes through a temporary file and a rename: Rspamd never reads half a map or key. */
  private async writeAtomically(file: string, content: string, mode: number): Promise<void> {
    const owner = await stat(this.keysDir);
    const temporary = `${file}.${process.pid}.tmp`;
    await writeFile(temporary, content, { mode });
    await chown(temporary, owner.uid, owner.gid);
    await rename(temporary, file);
  }

  async read(_customerId: number, domains: readonly string[]): Promise<DkimSigningKey[]> {
    const mine = new Set(domains);
    const lines = (await this.readMap(this.selectorMap)).filter(([domain]) => mine.has(domain));
    const keys: DkimSigningKey[] = [];
    for (const [domain, selector] of lines) {
      const file = path.join(this.keysDir, `${domain}.${selector}.key`);
      const privateKeyPem = await readFile(file, 'utf8').catch(() => ''); // a missing key is a difference
      keys.push({ domain, selector, privateKeyPem });
    }
    return keys.sort((a, b) => a.domain.localeCompare(b.domain));
  }

  write(_customerId: number, key: DkimSigningKey): Promise<void> {
    return this.serial(async () => {
      await mkdir(this.keysDir, { recursive: true });
      // Key first, then the map: Rspamd must find the key the map names.
      await this.writeAtomically(
        path.join(this.keysDir, `${key.domain}.${key.selector}.key`),
        key.privateKeyPem,
        0o640,
      );
      await this.replaceSelectorLines(key.domain, key.selector);
      await this.removeKeyFiles(key.domain, key.selector);
    });
  }

  remove(_customerId: number, domain: string): Promise<void> {
    return this.serial(async () => {
      await this.replaceSelectorLines(domain, null);
      await this.removeKeyFiles(domain, null);
    });
  }

  private async replaceSelectorLines(domain: string, selector: string | null): Promise<void> {
    const entries = (await this.readMap(this.selectorMap))
      .filter(([d]) => d !== domain)
      .map(([d, s]) => ({ domain: d, selector: s }));
    if (selector) entries.push({ domain, selector });
    await this.writeAtomically(this.selectorMap, renderDkimSelectorMap(entries), 0o644);
  }

  /** Key files of `domain` other than `keep`'s (a rotated-out key no longer signs anything). */
  private async removeKeyFiles(domain: string, keep: string | null): Promise<void> {
    const names = await readdir(this.keysDir);
    const prefix = `${domain}.`;
    for (const name of names) {
      if (!name.startsWith(prefix) || !name.endsWith('.key')) continue;
      const selector = name.slice(prefix.length, -'.key'.length);
      if (selector.includes('.') || selector === keep) continue;
      await rm(path.join(this.keysDir, name), { force: true });
    }
  }

  /** Current send-limit lines of `domains`, as `address perHour` pairs (sorted). */
  async readSendLimits(domains: readonly string[]): Promise<SendLimitEntry[]> {
    if (!this.sendLimitsMap) return [];
    const mine = new Set(domains);
    return (await this.readMap(this.sendLimitsMap))
      .filter(([address]) => mine.has(domainOf(address)))
      .map(([address, perHour]) => ({ address, perHour: Number(perHour) }))
      .sort((a, b) => a.address.localeCompare(b.address));
  }

  /** Replaces the lines of `domains` with `entries`; other customers' lines stay. */
  writeSendLimits(domains: readonly string[], entries: SendLimitEntry[]): Promise<void> {
    const file = this.sendLimitsMap;
    if (!file) return Promise.resolve();
    return this.serial(async () => {
      const mine = new Set(domains);
      const others = (await this.readMap(file))
        .filter(([address]) => !mine.has(domainOf(address)))
        .map(([address, perHour]) => ({ address, perHour: Number(perHour) }));
      await this.writeAtomically(file, renderSendLimitsMap([...others, ...entries]), 0o644);
    });
  }

  /** Current identity lines of `domains` (sorted by key). */
  async readIdentities(domains: readonly string[]): Promise<IdentityEntry[]> {
    if (!this.identityMap) return [];
    const mine = new Set(domains);
    return (await this.readMap(this.identityMap))
      .filter(([key]) => mine.has(identityKeyDomain(key)))
      .map(([key, value]) => ({ key, value }))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  /** Replaces the identity lines of `domains` with `entries`; other customers' lines stay. */
  writeIdentities(domains: readonly string[], entries: IdentityEntry[]): Promise<void> {
    const file = this.identityMap;
    if (!file) return Promise.resolve();
    return this.serial(async () => {
      const mine = new Set(domains);
      const others = (await this.readMap(file))
        .filter(([key]) => !mine.has(identityKeyDomain(key)))
        .map(([key, value]) => ({ key, value }));
      await this.writeAtomically(file, renderIdentityMap([...others, ...entries]), 0o644);
    });
  }
}
