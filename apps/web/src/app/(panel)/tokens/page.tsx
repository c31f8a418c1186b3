'use client';

import type { CreateTokenBody, createdTokenSchema, tokenSchema } from '@hostplane/contracts';
import { type FormEvent, useState } from 'react';
import type { z } from 'zod';
import { InlineForm } from '../../../components/resource.tsx';
import { ConfirmButton, ErrorBox, Field, ResourceTable, Section, Select } from '../../../components/ui.tsx';
import { api } from '../../../lib/api.ts';
import { formatDate, optionalText, text } from '../../../lib/forms.ts';
import { useAction, useLoad } from '../../../lib/hooks.ts';
import { ALL, type Page } from '../../../lib/types.ts';

type ApiToken = z.infer<typeof tokenSchema>;
type CreatedToken = z.infer<typeof createdTokenSchema>;

export default function TokensPage() {
  const tokens = useLoad<Page<ApiToken>>(`/tokens${ALL}`);
  const create = useAction();
  const remove = useAction();
  const [created, setCreated] = useState<CreatedToken | null>(null);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const expires = optionalText(form, 'expiresAt');
    const body: CreateTokenBody = {
      name: text(form, 'name'),
      scope: text(form, 'scope') === 'read' ? 'read' : 'write',
      ...(expires ? { expiresAt: new Date(`${expires}T23:59:59Z`).toISOString() } : {}),
    };
    await create.run(async () => {
      setCreated(await api<CreatedToken>('POST', '/tokens', body));
      formElement.reset();
      await tokens.reload();
    });
  }

  return (
    <>
      <h1>API tokens</h1>
      <Section title="New token">
        {created ? (
          <div className="alert alert-info" role="status">
            Token <strong>{created.name}</strong> — copy it now, it is shown only once:
            <code className="secret" data-testid="new-token">
              {created.token}
            </code>
            <button
              type="button"
              className="btn btn-ghost"
              onClick={() => void navigator.clipboard?.writeText(created.token)}
            >
              Copy
            </button>{' '}
            <button type="button" className="btn btn-ghost" onClick={() => setCreated(null)}>
              Done
            </button>
          </div>
        ) : null}
        <InlineForm label="New token" action={create} onSubmit={submit} submitLabel="Create token">
          <div className="grid">
            <Field label="Name" name="name" placeholder="billing system" error={create.fieldError('name')} />
            <Select
              label="Scope"
              name="scope"
              options={[
                { value: 'write', label: 'read and write' },
                { value: 'read', label: 'read only' },
              ]}
              error={create.fieldError('scope')}
            />
            <Field
              label="Expires on (optional)"
              name="expiresAt"
              type="date"
              error={create.fieldError('expiresAt')}
            />
          </div>
        </InlineForm>
      </Section>
      <Section title="Your tokens">
        <ErrorBox error={tokens.error ?? remove.error} />
        <ResourceTable
          items={tokens.data?.items}
          empty="No tokens."
          columns={['Name', 'Scope', 'Created', 'Last used', 'Expires']}
        >
          {(items) =>
            items.map((t) => (
              <tr key={t.id}>
                <th scope="row">{t.name}</th>
                <td>{t.scope}</td>
                <td>{formatDate(t.createdAt)}</td>
                <td>{formatDate(t.lastUsedAt)}</td>
                <td>{t.expiresAt ? formatDate(t.expiresAt) : 'never'}</td>
                <td className="row-actions">
                  <ConfirmButton
                    label="Delete"
                    question={`Delete token ${t.name}? Clients using it stop working.`}
                    onConfirm={async () => {
                      if (await remove.run(() => api('DELETE', `/tokens/${t.id}`))) void tokens.reload();
                    }}
                  />
                </td>
              </tr>
            ))
          }
        </ResourceTable>
      </Section>
    </>
  );
}
