// Mailboxes in customer backups. Messages live in mail-system's shared Maildir volume, which the tenant's
// Velero backup never sees; so the Backup target exports each of the customer's mailboxes when a backup
// is taken and imports them back when a restore is made, through Dovecot's doveadm HTTP API (`fetch` of
// each message's text, `save` of it) and the object store Velero writes to. One JSON object per
// mailbox and backup, under `<prefix>/<backup>/<address>.json`.
import { z } from 'zod';

/** What the Backup target needs from the mail archive (null when the platform has none configured). */
export interface MailArchive {
  /** Copies these mailboxes' messages under `backup`; answers how many messages were stored. */
  exportMailboxes(backup: string, addresses: readonly string[]): Promise<number>;
  /** Saves back the messages of `backup` a mailbox no longer has (by Message-ID); answers how many. */
  restoreMailboxes(backup: string, addresses: readonly string[]): Promise<number>;
  /** Removes what was exported with `backup` (Velero removed the backup at its TTL); answers how many objects. */
  forget(backup: string): Promise<number>;
}

/** The object store as this archive uses it (satisfied by @hostplane/object-store's S3ObjectStore). */
export interface ArchiveStore {
  put(key: string, source: { bytes: Uint8Array }, contentType?: string): Promise<void>;
  getBytes(key: string): Promise<Uint8Array>;
  list(prefix: string): Promise<{ key: string }[]>;
  delete(keys: readonly string[]): Promise<void>;
}

export interface DoveadmMailArchiveOptions {
  /** http://host:port of doveadm's HTTP listener (DOVEADM_API_URL). */
  url: string;
  apiKey: string;
  store: ArchiveStore;
  /** Key prefix in the bucket, without a trailing slash. */
  prefix: string;
  timeoutMs?: number;
}

const archivedMessage = z.object({ mailbox: z.string(), messageId: z.string(), text: z.string() });
const archive = z.object({ address: z.string(), messages: z.array(archivedMessage) });
type ArchivedMessage = z.infer<typeof archivedMessage>;

const fetched = z.array(z.record(z.string(), z.string()));
const reply = z.array(z.tuple([z.string(), z.unknown(), z.string()]));

export class DoveadmMailArchive implements MailArchive {
  constructor(private readonly options: DoveadmMailArchiveOptions) {}

  private key(backup: string, address: string): string {
    return `${this.options.prefix}/${backup}/${address}.json`;
  }

  /** One doveadm command; its payload, or an error naming the command and doveadm's exit code. */
  private async call(command: string, parameters: Record<string, unknown>): Promise<unknown> {
    const res = await fetch(new URL('/doveadm/v1', this.options.url), {
      method: 'POST',
      headers: {
        authorization: `X-Dovecot-API ${Buffer.from(this.options.apiKey).toString('base64')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify([[command, parameters, 'c']]),
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 60_000),
    });
    if (!res.ok) throw new Error(`doveadm ${command} answered HTTP ${res.status}`);
    const [answer] = reply.parse(await res.json());
    if (answer?.[0] !== 'doveadmResponse')
      throw new Error(`doveadm ${command} for ${String(parameters.user)}: ${JSON.stringify(answer?.[1])}`);
    return answer[1];
  }

  private async messagesOf(user: string, withText: boolean): Promise<ArchivedMessage[]> {
    const fields = ['mailbox', 'hdr.message-id', ...(withText ? ['text'] : [])];
    const rows = fetched.parse(await this.call('fetch', { user, field: fields, query: ['all'] }));
    return rows.map((r) => ({
      mailbox: r.mailbox ?? 'INBOX',
      messageId: (r['hdr.message-id'] ?? '').trim(),
      text: r.text ?? '',
    }));
  }

  async exportMailboxes(backup: string, addresses: readonly string[]): Promise<number> {
    let count = 0;
    for (const address of addresses) {
      const messages = await this.messagesOf(address, true);
      const body = JSON.stringify(archive.parse({ address, messages }));
      await this.options.store.put(
        this.key(backup, address),
        { bytes: new TextEncoder().encode(body) },
        'application/json',
      );
      count += messages.length;
    }
    return count;
  }

  async forget(backup: string): Promise<number> {
    const keys = (await this.options.store.list(`${this.options.prefix}/${backup}/`)).map((o) => o.key);
    if (keys.length > 0) await this.options.store.delete(keys);
    return keys.length;
  }

  async restoreMailboxes(backup: string, addresses: readonly string[]): Promise<number> {
    let saved = 0;
    for (const address of addresses) {
      const stored = archive.parse(
        JSON.parse(new TextDecoder().decode(await this.options.store.getBytes(this.key(backup, address)))),
      );
      // Idempotent: a message the mailbox still has (same Message-ID) is not saved twice.
      const present = new Set((await this.messagesOf(address, false)).map((m) => m.messageId));
      for (const message of stored.messages) {
        if (message.messageId && present.has(message.messageId)) continue;
        await this.call('save', { user: address, mailbox: message.mailbox, file: message.text });
        saved++;
        if (message.messageId) present.add(message.messageId);
      }
    }
    return saved;
  }
}
