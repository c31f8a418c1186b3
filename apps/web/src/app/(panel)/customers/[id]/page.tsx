'use client';

import type { CreateSiteBody, PlatformInfo, Site, UpdateSiteBody } from '@hostplane/contracts';
import Link from 'next/link';
import { type FormEvent, useState } from 'react';
import { InlineForm, ResourceSection } from '../../../../components/resource.tsx';
import {
  Badge,
  Check,
  ConfirmButton,
  ErrorBox,
  Field,
  ResourceTable,
  Select,
  TextArea,
  type Tone,
} from '../../../../components/ui.tsx';
import { api, enc } from '../../../../lib/api.ts';
import { useCustomer } from '../../../../lib/customer.tsx';
import { checked, list, numberOf, optionalText, text } from '../../../../lib/forms.ts';
import { useAction, useLoad } from '../../../../lib/hooks.ts';
import { phpChoice } from '../../../../lib/php.ts';
import { ALL, type Page, STATUS_REFRESH_MS } from '../../../../lib/types.ts';

const TEMPLATES: { value: CreateSiteBody['template']; label: string }[] = [
  { value: 'static', label: 'Static files (nginx)' },
  { value: 'php', label: 'PHP' },
  { value: 'wordpress', label: 'WordPress' },
  { value: 'image', label: 'Own container image' },
];

const stateTones: Record<string, Tone> = {
  Ready: 'ok',
  Progressing: 'warn',
  Suspended: 'muted',
  Failed: 'bad',
};

function SiteStatus({ site }: { site: Site }) {
  if (!site.status) return <Badge tone="muted">Pending</Badge>;
  return (
    <Badge
      tone={stateTones[site.status.state] ?? 'muted'}
      title={`${site.status.reason}: ${site.status.message}`}
    >
      {site.status.state}
    </Badge>
  );
}

function CreateSiteForm({
  base,
  platform,
  onDone,
}: {
  base: string;
  platform: PlatformInfo | undefined;
  onDone: () => void;
}) {
  const action = useAction();
  const [template, setTemplate] = useState<CreateSiteBody['template']>('static');
  const php = phpChoice(platform, template);
  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const image = optionalText(form, 'image');
    const port = optionalText(form, 'port');
    const phpVersion = php ? optionalText(form, 'phpVersion') : undefined;
    const body: CreateSiteBody = {
      name: text(form, 'name'),
      template,
      domains: list(form, 'domains'),
      www: checked(form, 'www'),
      replicas: numberOf(form, 'replicas'),
      database: checked(form, 'database'),
      ...(template === 'image' && image ? { image } : {}),
      ...(template === 'image' && port ? { port: Number(port) } : {}),
      ...(phpVersion ? { phpVersion } : {}),
    };
    if (await action.run(() => api('POST', `${base}/sites`, body))) onDone();
  }
  return (
    <InlineForm label="New site" action={action} onSubmit={submit} submitLabel="Create site">
      <div className="grid">
        <Field
          label="Site name"
          name="name"
          required
          hint="lowercase letters, digits and -"
          error={action.fieldError('name')}
        />
        <Select
          label="Template"
          name="template"
          value={template}
          onChange={(e) => setTemplate(e.target.value as CreateSiteBody['template'])}
          options={TEMPLATES}
          error={action.fieldError('template')}
        />
        {template === 'image' ? (
          <>
            <Field label="Image" name="image" placeholder="nginx:1.27" error={action.fieldError('image')} />
            <Field
              label="Port"
              name="port"
              inputMode="numeric"
              placeholder="8080"
              error={action.fieldError('port')}
            />
          </>
        ) : null}
        {php ? (
          <Select
            key={template}
            label="PHP version"
            name="phpVersion"
            defaultValue={php.selected}
            options={php.options}
            error={action.fieldError('phpVersion')}
          />
        ) : null}
        <Field
          label="Replicas"
          name="replicas"
          inputMode="numeric"
          defaultValue="1"
          error={action.fieldError('replicas')}
        />
      </div>
      <TextArea
        label="Domains"
        name="domains"
        hint="one per line or separated by commas, e.g. example.com"
        error={action.fieldError('domains')}
      />
      <div className="checks">
        <Check label="Also serve www. of each domain" name="www" />
        <Check label="With a database" name="database" />
      </div>
    </InlineForm>
  );
}

function EditSiteForm({ base, site, onDone }: { base: string; site: Site; onDone: () => void }) {
  const action = useAction();
  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const body: UpdateSiteBody = {
      domains: list(form, 'domains'),
      www: checked(form, 'www'),
      replicas: numberOf(form, 'replicas'),
      database: checked(form, 'database'),
      ...(site.template === 'image' ? { image: text(form, 'image') } : {}),
    };
    if (await action.run(() => api('PATCH', `${base}/sites/${enc(site.name)}`, body))) onDone();
  }
  return (
    <InlineForm
      label={`Edit site ${site.name}`}
      action={action}
      onSubmit={submit}
      submitLabel="Save site"
      onCancel={onDone}
    >
      <div className="grid">
        {site.template === 'image' ? (
          <Field
            label="Image"
            name="image"
            defaultValue={site.image ?? ''}
            error={action.fieldError('image')}
          />
        ) : null}
        <Field
          label="Replicas"
          name="replicas"
          defaultValue={String(site.replicas)}
          error={action.fieldError('replicas')}
        />
      </div>
      <TextArea
        label="Domains"
        name="domains"
        defaultValue={site.domains.join('\n')}
        error={action.fieldError('domains')}
      />
      <div className="checks">
        <Check label="Also serve www." name="www" defaultChecked={site.www} />
        <Check label="With a database" name="database" defaultChecked={site.database} />
      </div>
    </InlineForm>
  );
}

function SiteRow({ base, site, onChange }: { base: string; site: Site; onChange: () => void }) {
  const [editing, setEditing] = useState(false);
  const action = useAction();
  if (editing) {
    return (
      <tr>
        <td colSpan={6}>
          <EditSiteForm
            base={base}
            site={site}
            onDone={() => {
              setEditing(false);
              onChange();
            }}
          />
        </td>
      </tr>
    );
  }
  return (
    <tr data-site={site.name}>
      <th scope="row">
        <Link href={`${base}/sites/${enc(site.name)}`}>{site.name}</Link>
      </th>
      <td>{site.template === 'image' ? `image ${site.image ?? ''}` : site.template}</td>
      <td>
        {site.domains.length === 0 ? <span className="muted">none</span> : site.domains.join(', ')}
        {site.www ? <span className="muted"> (+www)</span> : null}
      </td>
      <td>
        {site.replicas}
        {site.database ? ' · database' : ''}
      </td>
      <td>
        <SiteStatus site={site} />
        {site.status && site.status.state !== 'Ready' ? (
          <div className="muted small">{site.status.message}</div>
        ) : null}
      </td>
      <td className="row-actions">
        <button type="button" className="btn btn-ghost" onClick={() => setEditing(true)}>
          Edit
        </button>
        <ConfirmButton
          label="Delete"
          question={`Delete site ${site.name} and its data?`}
          onConfirm={async () => {
            if (await action.run(() => api('DELETE', `${base}/sites/${enc(site.name)}`))) onChange();
          }}
        />
        <ErrorBox error={action.error} />
      </td>
    </tr>
  );
}

export default function SitesPage() {
  const { base } = useCustomer();
  const sites = useLoad<Page<Site>>(`${base}/sites${ALL}`, STATUS_REFRESH_MS);
  const platform = useLoad<PlatformInfo>('/platform');
  return (
    <ResourceSection
      title="Sites"
      createLabel="New site"
      create={(done) => <CreateSiteForm base={base} platform={platform.data} onDone={done} />}
      onCreated={() => void sites.reload()}
      error={sites.error}
    >
      <ResourceTable
        items={sites.data?.items}
        empty="No sites yet."
        columns={['Site', 'Template', 'Domains', 'Replicas', 'Status']}
      >
        {(items) =>
          items.map((s) => <SiteRow key={s.name} base={base} site={s} onChange={() => void sites.reload()} />)
        }
      </ResourceTable>
    </ResourceSection>
  );
}
