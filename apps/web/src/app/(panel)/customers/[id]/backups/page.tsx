'use client';

import type { Backup, CreateBackupBody, CreateRestoreBody, Restore } from '@hostplane/contracts';
import type { FormEvent } from 'react';
import {
  Badge,
  ConfirmButton,
  ErrorBox,
  Field,
  ResourceTable,
  Section,
  type Tone,
} from '../../../../../components/ui.tsx';
import { api } from '../../../../../lib/api.ts';
import { useCustomer } from '../../../../../lib/customer.tsx';
import { formatDate, optionalText } from '../../../../../lib/forms.ts';
import { useAction, useLoad } from '../../../../../lib/hooks.ts';
import { ALL, type Page } from '../../../../../lib/types.ts';

const phaseTones: Record<string, Tone> = {
  Completed: 'ok',
  Failed: 'bad',
  PartiallyFailed: 'bad',
  InProgress: 'warn',
  New: 'muted',
};

function Phase({ phase, message }: { phase: string; message: string | null }) {
  return (
    <Badge tone={phaseTones[phase] ?? 'muted'} title={message ?? undefined}>
      {phase}
    </Badge>
  );
}

export default function BackupsPage() {
  const { base } = useCustomer();
  const backups = useLoad<Page<Backup>>(`${base}/backups${ALL}`);
  const restores = useLoad<Page<Restore>>(`${base}/restores${ALL}`);
  const start = useAction();
  const restore = useAction();

  async function startBackup(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const name = optionalText(new FormData(formElement), 'name');
    const body: CreateBackupBody = name ? { name } : {};
    if (await start.run(() => api('POST', `${base}/backups`, body))) {
      formElement.reset();
      void backups.reload();
    }
  }
  async function restoreFrom(backup: string) {
    const body: CreateRestoreBody = { backup };
    if (await restore.run(() => api('POST', `${base}/restores`, body))) void restores.reload();
  }

  return (
    <>
      <Section title="Backups">
        <form className="form actions" onSubmit={startBackup} noValidate aria-label="Start a backup">
          <Field
            label="Backup name (optional)"
            name="name"
            placeholder="before-upgrade"
            error={start.fieldError('name')}
          />
          <button type="submit" className="btn btn-primary" disabled={start.busy}>
            Back up now
          </button>
        </form>
        <ErrorBox error={start.error ?? backups.error ?? restore.error} />
        <ResourceTable
          items={backups.data?.items}
          empty="No backups yet."
          columns={['Backup', 'Phase', 'Started', 'Completed']}
        >
          {(items) =>
            items.map((b) => (
              <tr key={b.name}>
                <th scope="row" className="mono">
                  {b.name}
                </th>
                <td>
                  <Phase phase={b.phase} message={b.message} />
                </td>
                <td>{formatDate(b.startedAt)}</td>
                <td>{formatDate(b.completedAt)}</td>
                <td className="row-actions">
                  <ConfirmButton
                    label="Restore"
                    question={`Restore from ${b.name}? Current data is replaced.`}
                    disabled={restore.busy || b.phase !== 'Completed'}
                    onConfirm={() => restoreFrom(b.name)}
                  />
                </td>
              </tr>
            ))
          }
        </ResourceTable>
      </Section>
      <Section title="Restores">
        <ErrorBox error={restores.error} />
        <ResourceTable
          items={restores.data?.items}
          empty="No restores yet."
          columns={['Restore', 'From backup', 'Phase', 'Started', 'Completed']}
          actions={false}
        >
          {(items) =>
            items.map((r) => (
              <tr key={r.name}>
                <th scope="row" className="mono">
                  {r.name}
                </th>
                <td className="mono">{r.backup}</td>
                <td>
                  <Phase phase={r.phase} message={r.message} />
                </td>
                <td>{formatDate(r.startedAt)}</td>
                <td>{formatDate(r.completedAt)}</td>
              </tr>
            ))
          }
        </ResourceTable>
      </Section>
    </>
  );
}
