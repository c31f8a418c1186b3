'use client';

import type {
  Alias,
  CreateAliasBody,
  CreateMailboxBody,
  Domain,
  Mailbox,
  PlatformInfo,
  UpdateMailboxBody,
} from '@hostplane/contracts';
import { type FormEvent, useState } from 'react';
import { InlineForm, ResourceSection } from '../../../../../components/resource.tsx';
import {
  Badge,
  ConfirmButton,
  Empty,
  ErrorBox,
  Field,
  Loading,
  ResourceTable,
  Section,
  TextArea,
} from '../../../../../components/ui.tsx';
import { api, enc } from '../../../../../lib/api.ts';
import { useCustomer } from '../../../../../lib/customer.tsx';
import { list, text } from '../../../../../lib/forms.ts';
import { useAction, useLoad } from '../../../../../lib/hooks.ts';
import { ALL, type Page } from '../../../../../lib/types.ts';
import { MailboxSettings, MailboxUsage, MailTotal, webmailLink } from './mailbox-settings.tsx';

function CreateMailboxForm({ base, onDone }: { base: string; onDone: () => void }) {
  const action = useAction();
  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const body: CreateMailboxBody = {
      address: text(form, 'address'),
      password: String(form.get('password') ?? ''),
      quota: text(form, 'quota'),
      enabled: true,
    };
    if (await action.run(() => api('POST', `${base}/mailboxes`, body))) onDone();
  }
  return (
    <InlineForm label="New mailbox" action={action} onSubmit={submit} submitLabel="Create mailbox">
      <div className="grid">
        <Field
          label="Address"
          name="address"
          type="email"
          placeholder="info@example.com"
          error={action.fieldError('address')}
        />
        <Field
          label="Password"
          name="password"
          type="password"
          autoComplete="new-password"
          hint="10 characters or more"
          error={action.fieldError('password')}
        />
        <Field
          label="Quota"
          name="quota"
          defaultValue="1Gi"
          hint="e.g. 500Mi, 2Gi"
          error={action.fieldError('quota')}
        />
      </div>
    </InlineForm>
  );
}

function MailboxRow({
  base,
  mailbox,
  webmail,
  onChange,
}: {
  base: string;
  mailbox: Mailbox;
  webmail: string | null;
  onChange: () => void;
}) {
  const action = useAction();
  const [changing, setChanging] = useState(false);
  const [settings, setSettings] = useState(false);
  const path = `${base}/mailboxes/${enc(mailbox.address)}`;
  async function patch(body: UpdateMailboxBody) {
    return action.run(() => api('PATCH', path, body));
  }
  async function changePassword(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    if (await patch({ password: String(form.get('password') ?? '') })) {
      setChanging(false);
      onChange();
    }
  }
  return (
    <>
      <tr data-mailbox={mailbox.address}>
        <th scope="row">{mailbox.address}</th>
        <td>{mailbox.quota}</td>
        <td>
          <MailboxUsage mailbox={mailbox} />
        </td>
        <td>{mailbox.enabled ? <Badge tone="ok">Enabled</Badge> : <Badge tone="muted">Disabled</Badge>}</td>
        <td className="row-actions">
          {changing ? (
            <form
              className="actions"
              onSubmit={changePassword}
              noValidate
              aria-label={`New password for ${mailbox.address}`}
            >
              <Field
                label="New password"
                name="password"
                type="password"
                autoComplete="new-password"
                error={action.fieldError('password')}
              />
              <button type="submit" className="btn btn-primary" disabled={action.busy}>
                Set
              </button>
              <button type="button" className="btn btn-ghost" onClick={() => setChanging(false)}>
                Cancel
              </button>
            </form>
          ) : (
            <>
              {webmail ? (
                <a className="btn btn-ghost" href={webmail} target="_blank" rel="noreferrer">
                  Webmail
                </a>
              ) : null}
              <button type="button" className="btn btn-ghost" onClick={() => setSettings(!settings)}>
                {settings ? 'Hide settings' : 'Settings'}
              </button>
              <button type="button" className="btn btn-ghost" onClick={() => setChanging(true)}>
                Change password
              </button>
              <button
                type="button"
                className="btn btn-ghost"
                disabled={action.busy}
                onClick={async () => {
                  if (await patch({ enabled: !mailbox.enabled })) onChange();
                }}
              >
                {mailbox.enabled ? 'Disable' : 'Enable'}
              </button>
              <ConfirmButton
                label="Delete"
                question={`Delete ${mailbox.address} and its mail?`}
                onConfirm={async () => {
                  if (await action.run(() => api('DELETE', path))) onChange();
                }}
              />
            </>
          )}
          <ErrorBox error={action.error} />
        </td>
      </tr>
      {settings ? (
        <tr>
          <td colSpan={5}>
            <MailboxSettings base={base} mailbox={mailbox} onChange={onChange} />
          </td>
        </tr>
      ) : null}
    </>
  );
}

function Mailboxes({ base }: { base: string }) {
  const mailboxes = useLoad<Page<Mailbox>>(`${base}/mailboxes${ALL}`);
  const domains = useLoad<Page<Domain>>(`${base}/domains${ALL}`);
  const webmailDomains = (domains.data?.items ?? []).filter((d) => d.webmail).map((d) => d.name);
  // The platform-wide webmail (one for every domain): linked here and from each mailbox.
  const platformWebmail = useLoad<PlatformInfo>('/platform').data?.webmail.url ?? null;
  return (
    <ResourceSection
      title="Mailboxes"
      actions={
        platformWebmail ? (
          <a
            className="btn btn-ghost"
            href={platformWebmail}
            target="_blank"
            rel="noreferrer"
            data-testid="platform-webmail"
          >
            Open webmail
          </a>
        ) : null
      }
      createLabel="New mailbox"
      create={(done) => <CreateMailboxForm base={base} onDone={done} />}
      onCreated={() => void mailboxes.reload()}
      error={mailboxes.error}
    >
      <ResourceTable
        items={mailboxes.data?.items}
        empty="No mailboxes yet. Add a domain with mail first."
        columns={['Address', 'Quota', 'Usage', 'State']}
      >
        {(items) =>
          items.map((m) => (
            <MailboxRow
              key={m.address}
              base={base}
              mailbox={m}
              webmail={webmailLink(m.address, webmailDomains, platformWebmail)}
              onChange={() => void mailboxes.reload()}
            />
          ))
        }
      </ResourceTable>
    </ResourceSection>
  );
}

function Aliases({ base }: { base: string }) {
  const aliases = useLoad<Page<Alias>>(`${base}/aliases${ALL}`);
  const create = useAction();
  const remove = useAction();
  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const body: CreateAliasBody = { source: text(form, 'source'), destinations: list(form, 'destinations') };
    if (await create.run(() => api('POST', `${base}/aliases`, body))) {
      formElement.reset();
      void aliases.reload();
    }
  }
  return (
    <Section title="Aliases and forwarding">
      <InlineForm label="New alias" action={create} onSubmit={submit} submitLabel="Add alias">
        <div className="grid">
          <Field
            label="Source"
            name="source"
            placeholder="sales@example.com"
            hint="an address, or @example.com for a catch-all"
            error={create.fieldError('source')}
          />
          <TextArea
            label="Destinations"
            name="destinations"
            hint="addresses, one per line"
            error={create.fieldError('destinations')}
          />
        </div>
      </InlineForm>
      <ErrorBox error={aliases.error ?? remove.error} />
      {!aliases.data ? (
        <Loading />
      ) : aliases.data.items.length === 0 ? (
        <Empty>No aliases yet.</Empty>
      ) : (
        <ul className="plain-list">
          {aliases.data.items.map((a) => (
            <li key={a.source} className="actions">
              <strong>{a.source}</strong> → {a.destinations.join(', ')}
              <ConfirmButton
                label="Delete"
                question={`Delete alias ${a.source}?`}
                onConfirm={async () => {
                  if (await remove.run(() => api('DELETE', `${base}/aliases/${enc(a.source)}`)))
                    void aliases.reload();
                }}
              />
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}

export default function MailPage() {
  const { base } = useCustomer();
  return (
    <>
      <MailTotal base={base} />
      <Mailboxes base={base} />
      <Aliases base={base} />
    </>
  );
}
