'use client';

import type { CreatePlanBody, Plan, PlanLimitsBody } from '@hostplane/contracts';
import { type FormEvent, useState } from 'react';
import { ErrorBox, Field, ResourceTable, Section } from '../../../../components/ui.tsx';
import { api } from '../../../../lib/api.ts';
import { numberOf, text } from '../../../../lib/forms.ts';
import { type Action, useAction, useLoad } from '../../../../lib/hooks.ts';
import { ALL, type Page } from '../../../../lib/types.ts';

type LimitKey = keyof PlanLimitsBody;
const LIMITS: { key: LimitKey; label: string; kind: 'quantity' | 'count'; hint: string; initial: string }[] =
  [
    { key: 'cpu', label: 'CPU', kind: 'quantity', hint: 'e.g. 2 or 1500m', initial: '2' },
    { key: 'memory', label: 'Memory', kind: 'quantity', hint: 'e.g. 4Gi', initial: '4Gi' },
    { key: 'storage', label: 'Storage', kind: 'quantity', hint: 'e.g. 20Gi', initial: '20Gi' },
    { key: 'sites', label: 'Sites', kind: 'count', hint: 'how many', initial: '5' },
    { key: 'domains', label: 'Domains', kind: 'count', hint: 'how many', initial: '5' },
    { key: 'mailboxes', label: 'Mailboxes', kind: 'count', hint: 'how many', initial: '10' },
    {
      key: 'mailboxQuota',
      label: 'Mail storage',
      kind: 'quantity',
      hint: 'all mailboxes, e.g. 10Gi',
      initial: '10Gi',
    },
    { key: 'databases', label: 'Databases', kind: 'count', hint: 'how many', initial: '2' },
    {
      key: 'backupRetentionDays',
      label: 'Backup retention (days)',
      kind: 'count',
      hint: 'days',
      initial: '7',
    },
  ];

function limitsOf(form: FormData): PlanLimitsBody {
  const entries = LIMITS.map(({ key, kind }) => [
    key,
    kind === 'count' ? numberOf(form, key) : text(form, key),
  ]);
  return Object.fromEntries(entries) as PlanLimitsBody;
}

function PlanFields({ action, plan }: { action: Action; plan?: Plan }) {
  return (
    <>
      <Field
        label="Plan name"
        name="name"
        required
        defaultValue={plan?.name}
        error={action.fieldError('name')}
      />
      <div className="grid">
        {LIMITS.map((l) => (
          <Field
            key={l.key}
            label={l.label}
            name={l.key}
            hint={l.hint}
            inputMode={l.kind === 'count' ? 'numeric' : undefined}
            defaultValue={plan ? String(plan.limits[l.key]) : l.initial}
            error={action.fieldError(`limits.${l.key}`)}
          />
        ))}
      </div>
    </>
  );
}

function PlanForm({ plan, onDone }: { plan?: Plan; onDone: () => void }) {
  const action = useAction();
  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const body: CreatePlanBody = { name: text(form, 'name'), limits: limitsOf(form) };
    const ok = await action.run(async () => {
      if (plan) await api('PATCH', `/plans/${plan.id}`, body);
      else await api('POST', '/plans', body);
    });
    if (ok) onDone();
  }
  return (
    <form
      className="form"
      onSubmit={submit}
      noValidate
      aria-label={plan ? `Edit plan ${plan.name}` : 'New plan'}
    >
      <ErrorBox error={action.error} />
      <PlanFields action={action} plan={plan} />
      <div className="actions">
        <button type="submit" className="btn btn-primary" disabled={action.busy}>
          {plan ? 'Save plan' : 'Create plan'}
        </button>
        {plan ? (
          <button type="button" className="btn btn-ghost" onClick={onDone}>
            Cancel
          </button>
        ) : null}
      </div>
    </form>
  );
}

export default function PlansPage() {
  const plans = useLoad<Page<Plan>>(`/plans${ALL}`);
  const [editing, setEditing] = useState<number | null>(null);
  const [creating, setCreating] = useState(false);
  return (
    <>
      <h1>Plans</h1>
      <Section
        title="Hosting plans"
        actions={
          <button type="button" className="btn btn-primary" onClick={() => setCreating(!creating)}>
            {creating ? 'Close' : 'New plan'}
          </button>
        }
      >
        {creating ? (
          <PlanForm
            onDone={() => {
              setCreating(false);
              void plans.reload();
            }}
          />
        ) : null}
        {plans.error ? <ErrorBox error={plans.error} /> : null}
        <ResourceTable
          items={plans.data?.items}
          empty="No plans yet: create one before adding customers."
          columns={['Name', ...LIMITS.map((l) => l.label)]}
        >
          {(items) =>
            items.map((plan) =>
              editing === plan.id ? (
                <tr key={plan.id}>
                  <td colSpan={LIMITS.length + 2}>
                    <PlanForm
                      plan={plan}
                      onDone={() => {
                        setEditing(null);
                        void plans.reload();
                      }}
                    />
                  </td>
                </tr>
              ) : (
                <tr key={plan.id}>
                  <th scope="row">{plan.name}</th>
                  {LIMITS.map((l) => (
                    <td key={l.key}>{plan.limits[l.key]}</td>
                  ))}
                  <td>
                    <button type="button" className="btn btn-ghost" onClick={() => setEditing(plan.id)}>
                      Edit
                    </button>
                  </td>
                </tr>
              ),
            )
          }
        </ResourceTable>
      </Section>
    </>
  );
}
