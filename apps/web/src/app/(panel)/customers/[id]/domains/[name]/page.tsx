'use client';

import type { CreateRecordBody, DnsRecord, PutRecordBody, RecordType } from '@hostplane/contracts';
import Link from 'next/link';
import { useParams } from 'next/navigation';
import { type FormEvent, useState } from 'react';
import { InlineForm } from '../../../../../../components/resource.tsx';
import {
  Badge,
  ConfirmButton,
  ErrorBox,
  Field,
  ResourceTable,
  Section,
  Select,
  TextArea,
} from '../../../../../../components/ui.tsx';
import { api, enc } from '../../../../../../lib/api.ts';
import { useCustomer, useCustomerId } from '../../../../../../lib/customer.tsx';
import { optionalText, text } from '../../../../../../lib/forms.ts';
import { type Action, useAction, useLoad } from '../../../../../../lib/hooks.ts';
import { ALL, type Page } from '../../../../../../lib/types.ts';

// Typed against the contract: a type the API does not take fails to compile here.
const TYPES = [
  'A',
  'AAAA',
  'CNAME',
  'MX',
  'TXT',
  'SRV',
  'CAA',
  'NS',
] as const satisfies readonly RecordType[];

/** A platform-managed rrset, when the API marks one in its listing. */
function readOnlyReason(record: DnsRecord): string | null {
  const marked = record as DnsRecord & { readOnly?: unknown; managed?: unknown; reason?: unknown };
  if (marked.readOnly === true || marked.managed === true) {
    return typeof marked.reason === 'string' ? marked.reason : 'managed by the platform';
  }
  return null;
}

function contentsOf(form: FormData): string[] {
  return text(form, 'records')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

function ttlOf(form: FormData): number | undefined {
  const ttl = optionalText(form, 'ttl');
  return ttl === undefined ? undefined : Number(ttl);
}

function ContentFields({ action, record }: { action: Action; record?: DnsRecord }) {
  return (
    <>
      <Field
        label="TTL (seconds)"
        name="ttl"
        inputMode="numeric"
        placeholder="3600"
        defaultValue={record ? String(record.ttl) : ''}
        error={action.fieldError('ttl')}
      />
      <TextArea
        label="Records (one per line)"
        name="records"
        rows={3}
        hint='presentation format, e.g. 192.0.2.10, or "10 mail.example.com." for MX'
        defaultValue={record?.records.join('\n')}
        error={action.fieldError('records')}
      />
    </>
  );
}

function AddRecordForm({ path, zone, onDone }: { path: string; zone: string; onDone: () => void }) {
  const action = useAction();
  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const ttl = ttlOf(form);
    const body: CreateRecordBody = {
      name: text(form, 'name'),
      type: text(form, 'type') as RecordType,
      records: contentsOf(form),
      ...(ttl === undefined ? {} : { ttl }),
    };
    if (await action.run(() => api('POST', path, body))) onDone();
  }
  return (
    <InlineForm label="New record set" action={action} onSubmit={submit} submitLabel="Add record set">
      <div className="grid">
        <Field
          label="Name"
          name="name"
          defaultValue="@"
          hint={`@ for ${zone}, or www.${zone}`}
          error={action.fieldError('name')}
        />
        <Select
          label="Type"
          name="type"
          options={TYPES.map((t) => ({ value: t, label: t }))}
          error={action.fieldError('type')}
        />
      </div>
      <ContentFields action={action} />
    </InlineForm>
  );
}

function RecordRow({ path, record, onChange }: { path: string; record: DnsRecord; onChange: () => void }) {
  const [editing, setEditing] = useState(false);
  const action = useAction();
  const url = `${path}/${enc(record.type)}/${enc(record.name)}`;
  const locked = readOnlyReason(record);
  async function replace(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const ttl = ttlOf(form);
    const body: PutRecordBody = { records: contentsOf(form), ...(ttl === undefined ? {} : { ttl }) };
    if (await action.run(() => api('PUT', url, body))) {
      setEditing(false);
      onChange();
    }
  }
  return (
    <tr data-record={`${record.type} ${record.name}`}>
      <th scope="row" className="mono">
        {record.name}
      </th>
      <td>{record.type}</td>
      <td>{record.ttl}</td>
      <td>
        {editing ? (
          <form onSubmit={replace} noValidate aria-label={`Replace ${record.type} ${record.name}`}>
            <ErrorBox error={action.error} />
            <ContentFields action={action} record={record} />
            <div className="actions">
              <button type="submit" className="btn btn-primary" disabled={action.busy}>
                Replace
              </button>
              <button type="button" className="btn btn-ghost" onClick={() => setEditing(false)}>
                Cancel
              </button>
            </div>
          </form>
        ) : (
          record.records.map((r) => (
            <div key={r} className="mono">
              {r}
            </div>
          ))
        )}
      </td>
      <td className="row-actions">
        {locked ? (
          <Badge tone="muted" title={locked}>
            read-only
          </Badge>
        ) : editing ? null : (
          <>
            <button type="button" className="btn btn-ghost" onClick={() => setEditing(true)}>
              Edit
            </button>
            <ConfirmButton
              label="Delete"
              question={`Delete ${record.type} ${record.name}?`}
              onConfirm={async () => {
                if (await action.run(() => api('DELETE', url))) onChange();
              }}
            />
            <ErrorBox error={action.error} />
          </>
        )}
      </td>
    </tr>
  );
}

export default function RecordsPage() {
  const { base } = useCustomer();
  const id = useCustomerId();
  const zone = decodeURIComponent(useParams<{ name: string }>().name);
  const path = `${base}/domains/${enc(zone)}/records`;
  const records = useLoad<Page<DnsRecord>>(`${path}${ALL}`);
  const [creating, setCreating] = useState(false);
  return (
    <Section
      title={`DNS records of ${zone}`}
      actions={
        <span className="actions">
          <Link className="btn btn-ghost" href={`/customers/${id}/domains`}>
            All domains
          </Link>
          <button type="button" className="btn btn-primary" onClick={() => setCreating(!creating)}>
            {creating ? 'Close' : 'Add record set'}
          </button>
        </span>
      }
    >
      <p className="muted small">
        The platform manages SOA, the apex NS and CAA, and — while mail is on — MX, SPF, DKIM, DMARC and the
        mail service records; those are read-only.
      </p>
      {creating ? (
        <AddRecordForm
          path={path}
          zone={zone}
          onDone={() => {
            setCreating(false);
            void records.reload();
          }}
        />
      ) : null}
      <ErrorBox error={records.error} />
      <ResourceTable
        items={records.data?.items}
        empty="No record sets of your own yet."
        columns={['Name', 'Type', 'TTL', 'Records']}
      >
        {(items) =>
          items.map((r) => (
            <RecordRow
              key={`${r.type} ${r.name}`}
              path={path}
              record={r}
              onChange={() => void records.reload()}
            />
          ))
        }
      </ResourceTable>
    </Section>
  );
}
