'use client';

// Issue 17: what a mail customer sets per mailbox (autoresponder, forwarding, spam thresholds and
// sender lists), how full each mailbox is (warning from 80 %, critical from 95 %), the customer's mail
// against the plan, and the way into webmail.

import type { AutoresponderBody, ForwardingBody, Mailbox, SpamBody } from '@hostplane/contracts';
import type { FormEvent } from 'react';
import { Badge, Check, ErrorBox, Field, Section, TextArea } from '../../../../../components/ui.tsx';
import { api, enc } from '../../../../../lib/api.ts';
import { checked, list, optionalText, text } from '../../../../../lib/forms.ts';
import { useAction, useLoad } from '../../../../../lib/hooks.ts';

/** GET …/mail-usage (CustomerMailUsage in the API). */
interface CustomerMailUsage {
  bytes: number;
  messages: number;
  allocatedBytes: number;
  planBytes: number;
  percent: number | null;
  warning: 'warning' | 'critical' | null;
  unknown: string[];
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

function WarningBadge({ warning }: { warning: 'warning' | 'critical' | null | undefined }) {
  if (warning === 'critical') return <Badge tone="bad">Almost full</Badge>;
  if (warning === 'warning') return <Badge tone="warn">Filling up</Badge>;
  return null;
}

/** The Usage cell of a mailbox row: used of quota, messages, and a warning from 80 %. */
export function MailboxUsage({ mailbox }: { mailbox: Mailbox }) {
  const usage = mailbox.usage;
  if (!usage) return <span title="Dovecot cannot say right now">unknown</span>;
  return (
    <span data-usage={mailbox.address}>
      {formatBytes(usage.bytes)} of {mailbox.quota}
      {usage.percent === null ? '' : ` (${usage.percent} %)`}, {usage.messages} messages{' '}
      <WarningBadge warning={usage.warning} />
    </span>
  );
}

/** Every mailbox together against the plan's mail storage. */
export function MailTotal({ base }: { base: string }) {
  const usage = useLoad<CustomerMailUsage>(`${base}/mail-usage`);
  const u = usage.data;
  return (
    <Section title="Mail storage">
      <ErrorBox error={usage.error} />
      {u ? (
        <p data-mail-total="">
          {formatBytes(u.bytes)} used of {formatBytes(u.planBytes)} in the plan
          {u.percent === null ? '' : ` (${u.percent} %)`}; {formatBytes(u.allocatedBytes)} given to mailboxes.{' '}
          <WarningBadge warning={u.warning} />
        </p>
      ) : null}
    </Section>
  );
}

/** `https://webmail.{domain}/` where the mailbox's domain has webmail on; else the platform-wide
 * webmail (GET /platform), or null when the platform has none. */
export function webmailLink(
  address: string,
  webmailDomains: readonly string[],
  platformWebmail: string | null = null,
): string | null {
  const domain = address.slice(address.lastIndexOf('@') + 1);
  return webmailDomains.includes(domain) ? `https://webmail.${domain}/` : platformWebmail;
}

function toInstant(value: string | undefined): string | undefined {
  return value ? new Date(value).toISOString() : undefined;
}

/** Autoresponder, forwarding and spam settings of one mailbox, each saved (or removed) on its own. */
export function MailboxSettings({
  base,
  mailbox,
  onChange,
}: {
  base: string;
  mailbox: Mailbox;
  onChange: () => void;
}) {
  const path = `${base}/mailboxes/${enc(mailbox.address)}`;
  const auto = useAction();
  const fwd = useAction();
  const spam = useAction();
  const a = mailbox.autoresponder;
  const f = mailbox.forwarding;
  const s = mailbox.spam;

  async function saveAutoresponder(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const startsAt = toInstant(optionalText(form, 'startsAt'));
    const endsAt = toInstant(optionalText(form, 'endsAt'));
    const body: AutoresponderBody = {
      subject: text(form, 'subject'),
      body: String(form.get('body') ?? ''),
      intervalDays: Number(text(form, 'intervalDays') || '7'),
      ...(startsAt ? { startsAt } : {}),
      ...(endsAt ? { endsAt } : {}),
    };
    if (await auto.run(() => api('PUT', `${path}/autoresponder`, body))) onChange();
  }
  async function saveForwarding(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const body: ForwardingBody = {
      destinations: list(form, 'destinations'),
      keepCopy: checked(form, 'keepCopy'),
    };
    if (await fwd.run(() => api('PUT', `${path}/forwarding`, body))) onChange();
  }
  async function saveSpam(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const reject = text(form, 'rejectScore');
    const body: SpamBody = {
      junkScore: Number(text(form, 'junkScore')),
      rejectScore: reject === '' ? null : Number(reject),
      allow: list(form, 'allow'),
      block: list(form, 'block'),
    };
    if (await spam.run(() => api('PUT', `${path}/spam`, body))) onChange();
  }
  const remove = (action: ReturnType<typeof useAction>, what: string) => async () => {
    if (await action.run(() => api('DELETE', `${path}/${what}`))) onChange();
  };

  return (
    <div className="stack" data-settings={mailbox.address}>
      <form
        className="form"
        onSubmit={saveAutoresponder}
        noValidate
        aria-label={`Autoresponder of ${mailbox.address}`}
      >
        <h3>Autoresponder {a ? <Badge tone="ok">On</Badge> : <Badge tone="muted">Off</Badge>}</h3>
        <ErrorBox error={auto.error} />
        <div className="grid">
          <Field
            label="Subject"
            name="subject"
            defaultValue={a?.subject ?? ''}
            error={auto.fieldError('subject')}
          />
          <TextArea
            label="Message"
            name="body"
            defaultValue={a?.body ?? ''}
            error={auto.fieldError('body')}
          />
          <Field label="From" name="startsAt" type="datetime-local" error={auto.fieldError('startsAt')} />
          <Field label="Until" name="endsAt" type="datetime-local" error={auto.fieldError('endsAt')} />
          <Field
            label="Once per sender every (days)"
            name="intervalDays"
            defaultValue={String(a?.intervalDays ?? 7)}
            error={auto.fieldError('intervalDays')}
          />
        </div>
        <div className="actions">
          <button type="submit" className="btn btn-primary" disabled={auto.busy}>
            Save autoresponder
          </button>
          {a ? (
            <button
              type="button"
              className="btn btn-ghost"
              disabled={auto.busy}
              onClick={remove(auto, 'autoresponder')}
            >
              Turn off
            </button>
          ) : null}
        </div>
      </form>
      <form
        className="form"
        onSubmit={saveForwarding}
        noValidate
        aria-label={`Forwarding of ${mailbox.address}`}
      >
        <h3>Forwarding {f ? <Badge tone="ok">On</Badge> : <Badge tone="muted">Off</Badge>}</h3>
        <ErrorBox error={fwd.error} />
        <div className="grid">
          <TextArea
            label="Forward to"
            name="destinations"
            hint="addresses, one per line"
            defaultValue={f?.destinations.join('\n') ?? ''}
            error={fwd.fieldError('destinations')}
          />
          <Check label="Keep a copy in this mailbox" name="keepCopy" defaultChecked={f?.keepCopy ?? true} />
        </div>
        <div className="actions">
          <button type="submit" className="btn btn-primary" disabled={fwd.busy}>
            Save forwarding
          </button>
          {f ? (
            <button
              type="button"
              className="btn btn-ghost"
              disabled={fwd.busy}
              onClick={remove(fwd, 'forwarding')}
            >
              Turn off
            </button>
          ) : null}
        </div>
      </form>
      <form
        className="form"
        onSubmit={saveSpam}
        noValidate
        aria-label={`Spam settings of ${mailbox.address}`}
      >
        <h3>Spam</h3>
        <ErrorBox error={spam.error} />
        <div className="grid">
          <Field
            label="Junk from score"
            name="junkScore"
            defaultValue={String(s.junkScore)}
            error={spam.fieldError('junkScore')}
          />
          <Field
            label="Refuse from score"
            name="rejectScore"
            hint="empty: never refuse"
            defaultValue={s.rejectScore === null ? '' : String(s.rejectScore)}
            error={spam.fieldError('rejectScore')}
          />
          <TextArea
            label="Always accept"
            name="allow"
            hint="addresses or @domain, one per line"
            defaultValue={s.allow.join('\n')}
            error={spam.fieldError('allow')}
          />
          <TextArea
            label="Always refuse"
            name="block"
            hint="addresses or @domain, one per line"
            defaultValue={s.block.join('\n')}
            error={spam.fieldError('block')}
          />
        </div>
        <div className="actions">
          <button type="submit" className="btn btn-primary" disabled={spam.busy}>
            Save spam settings
          </button>
          <button type="button" className="btn btn-ghost" disabled={spam.busy} onClick={remove(spam, 'spam')}>
            Reset to defaults
          </button>
        </div>
      </form>
    </div>
  );
}
