// Live read of mailbox usage (DESIGN §9 "Live reads"): Dovecot's doveadm HTTP API, asked only for
// `mailboxStatus messages vsize` of the listed users. vsize is what the quota counts (quota_vsizes = yes),
// so the sum over folders is what IMAP GETQUOTAROOT reports (in KiB). Answers parsed with zod.
import { type MailUsage, sumMailUsage } from '@hostplane/domain';
import { z } from 'zod';

/** Usage per address; null where Dovecot has no such user (yet). */
export interface MailUsageReader {
  usage(addresses: readonly string[]): Promise<Map<string, MailUsage | null>>;
}

const statusRow = z.object({ messages: z.coerce.number().int(), vsize: z.coerce.number().int() });
const answer = z.array(z.tuple([z.string(), z.unknown(), z.string()]));

export interface DoveadmHttpUsageOptions {
  /** http://host:port of doveadm's HTTP listener (DOVEADM_API_URL). */
  url: string;
  apiKey: string;
  timeoutMs?: number;
}

export class DoveadmHttpUsage implements MailUsageReader {
  constructor(private readonly options: DoveadmHttpUsageOptions) {}

  async usage(addresses: readonly string[]): Promise<Map<string, MailUsage | null>> {
    const out = new Map<string, MailUsage | null>();
    if (addresses.length === 0) return out;
    const commands = addresses.map((user, i) => [
      'mailboxStatus',
      { user, field: ['messages', 'vsize'], mailboxMask: ['*'] },
      String(i),
    ]);
    const res = await fetch(new URL('/doveadm/v1', this.options.url), {
      method: 'POST',
      headers: {
        authorization: `X-Dovecot-API ${Buffer.from(this.options.apiKey).toString('base64')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify(commands),
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 5_000),
    });
    if (!res.ok) throw new Error(`doveadm answered ${res.status}`);
    for (const [kind, payload, tag] of answer.parse(await res.json())) {
      const address = addresses[Number(tag)];
      if (address === undefined) continue;
      // An unknown user (exit code 67) is a mailbox the Mail target has not written yet.
      out.set(
        address,
        kind === 'doveadmResponse'
          ? sumMailUsage(
              z
                .array(statusRow)
                .parse(payload)
                .map((r) => ({ bytes: r.vsize, messages: r.messages })),
            )
          : null,
      );
    }
    return out;
  }
}
