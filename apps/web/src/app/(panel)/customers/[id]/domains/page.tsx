'use client';

import type { CreateDomainBody, Domain, UpdateDomainBody } from '@hostplane/contracts';
import Link from 'next/link';
import type { FormEvent } from 'react';
import { InlineForm, ResourceSection } from '../../../../../components/resource.tsx';
import {
  Badge,
  Check,
  ConfirmButton,
  ErrorBox,
  Field,
  ResourceTable,
} from '../../../../../components/ui.tsx';
import { api, enc } from '../../../../../lib/api.ts';
import { useCustomer, useCustomerId } from '../../../../../lib/customer.tsx';
import { checked, text } from '../../../../../lib/forms.ts';
import { useAction, useLoad } from '../../../../../lib/hooks.ts';
import { ALL, type Page } from '../../../../../lib/types.ts';

function CreateDomainForm({ base, onDone }: { base: string; onDone: () => void }) {
  const action = useAction();
  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const body: CreateDomainBody = {
      name: text(form, 'name'),
      dns: checked(form, 'dns'),
      mail: checked(form, 'mail'),
      dnssec: checked(form, 'dnssec'),
      webmail: checked(form, 'webmail'),
    };
    if (await action.run(() => api('POST', `${base}/domains`, body))) onDone();
  }
  return (
    <InlineForm label="New domain" action={action} onSubmit={submit} submitLabel="Add domain">
      <Field
        label="Domain name"
        name="name"
        placeholder="example.com"
        required
        error={action.fieldError('name')}
      />
      <div className="checks">
        <Check label="Host its DNS zone" name="dns" defaultChecked />
        <Check label="Receive mail" name="mail" defaultChecked />
        <Check label="Sign with DNSSEC" name="dnssec" />
        <Check label="Webmail at webmail.{domain}" name="webmail" />
      </div>
    </InlineForm>
  );
}

/** DS records, when the API shows them for a signed zone (to hand to the registrar). */
function dsRecordsOf(domain: Domain): string[] {
  const extra = domain as Domain & { ds?: unknown };
  return Array.isArray(extra.ds) ? extra.ds.filter((r): r is string => typeof r === 'string') : [];
}

/** Ownership: until Verified, the domain's mail and site hosts do not go live. */
function Verification({ domain, path, onChange }: { domain: Domain; path: string; onChange: () => void }) {
  const action = useAction();
  const v = domain.verification;
  const tone = v.state === 'Verified' ? 'ok' : v.state === 'Failed' ? 'bad' : 'muted';
  return (
    <td>
      <Badge tone={tone} title={v.message}>
        {v.state}
        {v.method ? ` (${v.method})` : ''}
      </Badge>
      {v.state !== 'Verified' ? (
        <details>
          <summary>How to verify</summary>
          <p>
            Delegate the domain to this platform's name servers at your registrar, or publish TXT{' '}
            <code>_hostplane-challenge.{domain.name}</code> = <code className="secret">{v.token}</code>.
          </p>
          {v.message ? <p className="muted">{v.message}</p> : null}
          <button
            type="button"
            className="btn btn-ghost"
            disabled={action.busy}
            onClick={async () => {
              if (await action.run(() => api('POST', `${path}/verify`))) onChange();
            }}
          >
            Check now
          </button>
          <ErrorBox error={action.error} />
        </details>
      ) : null}
    </td>
  );
}

function DomainRow({ base, domain, onChange }: { base: string; domain: Domain; onChange: () => void }) {
  const id = useCustomerId();
  const action = useAction();
  const path = `${base}/domains/${enc(domain.name)}`;
  async function toggle(body: UpdateDomainBody) {
    if (await action.run(() => api('PATCH', path, body))) onChange();
  }
  const ds = dsRecordsOf(domain);
  const flag = (on: boolean, label: string, field: keyof UpdateDomainBody) => (
    <button
      type="button"
      className="btn btn-ghost"
      aria-pressed={on}
      disabled={action.busy}
      onClick={() => void toggle({ [field]: !on })}
      title={`${on ? 'Turn off' : 'Turn on'} ${label}`}
    >
      <Badge tone={on ? 'ok' : 'muted'}>{label}</Badge>
    </button>
  );
  return (
    <tr data-domain={domain.name}>
      <th scope="row">{domain.name}</th>
      <Verification domain={domain} path={path} onChange={onChange} />
      <td className="badges">
        {flag(domain.dns, 'DNS', 'dns')}
        {flag(domain.mail, 'Mail', 'mail')}
        {flag(domain.dnssec, 'DNSSEC', 'dnssec')}
        {flag(domain.webmail, 'Webmail', 'webmail')}
      </td>
      <td>
        {domain.dkim ? (
          <details>
            <summary>
              DKIM selector <code>{domain.dkim.selector}</code>
            </summary>
            <code className="secret">{domain.dkim.publicKey}</code>
          </details>
        ) : (
          <span className="muted">—</span>
        )}
        {ds.length > 0 ? (
          <details>
            <summary>DS records for the registrar</summary>
            {ds.map((r) => (
              <code key={r} className="secret">
                {r}
              </code>
            ))}
          </details>
        ) : null}
      </td>
      <td className="row-actions">
        {domain.dns ? (
          <Link className="btn btn-ghost" href={`/customers/${id}/domains/${enc(domain.name)}`}>
            DNS records
          </Link>
        ) : null}
        <ConfirmButton
          label="Delete"
          question={`Delete ${domain.name}, its zone and its mail?`}
          onConfirm={async () => {
            if (await action.run(() => api('DELETE', path))) onChange();
          }}
        />
        <ErrorBox error={action.error} />
      </td>
    </tr>
  );
}

export default function DomainsPage() {
  const { base } = useCustomer();
  const domains = useLoad<Page<Domain>>(`${base}/domains${ALL}`);
  return (
    <ResourceSection
      title="Domains"
      createLabel="Add domain"
      create={(done) => <CreateDomainForm base={base} onDone={done} />}
      onCreated={() => void domains.reload()}
      error={domains.error}
    >
      <ResourceTable
        items={domains.data?.items}
        empty="No domains yet."
        columns={['Domain', 'Ownership', 'Services', 'Keys']}
      >
        {(items) =>
          items.map((d) => (
            <DomainRow key={d.name} base={base} domain={d} onChange={() => void domains.reload()} />
          ))
        }
      </ResourceTable>
    </ResourceSection>
  );
}
