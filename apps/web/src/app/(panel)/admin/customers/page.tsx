'use client';

import type { CreateCustomerBody, Customer, Plan, UpdateCustomerBody } from '@hostplane/contracts';
import Link from 'next/link';
import { type FormEvent, useState } from 'react';
import { ConditionBadges, ReadyBadge } from '../../../../components/conditions.tsx';
import { InlineForm } from '../../../../components/resource.tsx';
import {
  ConfirmButton,
  ErrorBox,
  Field,
  Notice,
  ResourceTable,
  Section,
  Select,
} from '../../../../components/ui.tsx';
import { api } from '../../../../lib/api.ts';
import { numberOf, optionalText, text } from '../../../../lib/forms.ts';
import { useAction, useLoad } from '../../../../lib/hooks.ts';
import { ALL, type Page, STATUS_REFRESH_MS } from '../../../../lib/types.ts';

function CreateCustomerForm({ plans, onDone }: { plans: Plan[]; onDone: () => void }) {
  const action = useAction();
  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const password = optionalText(form, 'password');
    const body: CreateCustomerBody = {
      name: text(form, 'name'),
      email: text(form, 'email'),
      planId: numberOf(form, 'planId'),
      ...(password ? { password } : {}),
    };
    if (await action.run(() => api('POST', '/customers', body))) onDone();
  }
  return (
    <InlineForm label="New customer" action={action} onSubmit={submit} submitLabel="Create customer">
      <div className="grid">
        <Field label="Customer name" name="name" required error={action.fieldError('name')} />
        <Field label="Email" name="email" type="email" required error={action.fieldError('email')} />
        <Select
          label="Plan"
          name="planId"
          options={plans.map((p) => ({ value: String(p.id), label: p.name }))}
          error={action.fieldError('planId')}
        />
        <Field
          label="Login password"
          name="password"
          type="password"
          autoComplete="new-password"
          hint="optional: creates the customer's login (10+ characters)"
          error={action.fieldError('password')}
        />
      </div>
    </InlineForm>
  );
}

function CustomerRow({
  customer,
  plans,
  onChange,
}: {
  customer: Customer;
  plans: Plan[];
  onChange: () => void;
}) {
  const action = useAction();
  const [notice, setNotice] = useState<string | null>(null);
  async function patch(body: UpdateCustomerBody) {
    if (await action.run(() => api('PATCH', `/customers/${customer.id}`, body))) onChange();
  }
  async function resync() {
    if (await action.run(() => api('POST', `/customers/${customer.id}/reconcile`)))
      setNotice('Resync queued');
  }
  async function remove() {
    if (await action.run(() => api('DELETE', `/customers/${customer.id}`))) onChange();
  }
  return (
    <tr data-customer={customer.id}>
      <th scope="row">
        <Link href={`/customers/${customer.id}`}>{customer.name}</Link>
        <div className="muted small">
          #{customer.id} · {customer.namespace}
        </div>
      </th>
      <td>{customer.email}</td>
      <td>
        <label className="sr-only" htmlFor={`plan-${customer.id}`}>
          Plan of {customer.name}
        </label>
        <select
          id={`plan-${customer.id}`}
          value={customer.planId}
          disabled={action.busy || customer.deleting}
          onChange={(e) => void patch({ planId: Number(e.target.value) })}
        >
          {plans.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </select>
      </td>
      <td>
        <ReadyBadge customer={customer} />
      </td>
      <td>
        <ConditionBadges conditions={customer.status.conditions} />
      </td>
      <td className="row-actions">
        <button
          type="button"
          className="btn btn-ghost"
          disabled={action.busy || customer.deleting}
          onClick={() => void patch({ suspended: !customer.suspended })}
        >
          {customer.suspended ? 'Unsuspend' : 'Suspend'}
        </button>
        <button
          type="button"
          className="btn btn-ghost"
          disabled={action.busy || customer.deleting}
          onClick={resync}
        >
          Resync
        </button>
        <ConfirmButton
          label="Delete"
          question={`Delete ${customer.name} and all its sites, domains and mail?`}
          disabled={action.busy || customer.deleting}
          onConfirm={remove}
        />
        {notice ? <span className="muted small">{notice}</span> : null}
        <ErrorBox error={action.error} />
      </td>
    </tr>
  );
}

export default function CustomersPage() {
  const customers = useLoad<Page<Customer>>(`/customers${ALL}`, STATUS_REFRESH_MS);
  const plans = useLoad<Page<Plan>>(`/plans${ALL}`);
  const [creating, setCreating] = useState(false);
  const planList = plans.data?.items ?? [];
  return (
    <>
      <h1>Customers</h1>
      <Section
        title="All customers"
        actions={
          <span className="actions">
            <button type="button" className="btn btn-ghost" onClick={() => void customers.reload()}>
              Refresh
            </button>
            <button type="button" className="btn btn-primary" onClick={() => setCreating(!creating)}>
              {creating ? 'Close' : 'New customer'}
            </button>
          </span>
        }
      >
        {creating && plans.data ? (
          planList.length === 0 ? (
            <Notice>
              Create a <Link href="/admin/plans">plan</Link> first.
            </Notice>
          ) : (
            <CreateCustomerForm
              plans={planList}
              onDone={() => {
                setCreating(false);
                void customers.reload();
              }}
            />
          )
        ) : null}
        <ErrorBox error={customers.error ?? plans.error} />
        <ResourceTable
          items={customers.data?.items}
          empty="No customers yet."
          columns={['Customer', 'Email', 'Plan', 'State', 'Conditions']}
        >
          {(items) =>
            items.map((c) => (
              <CustomerRow
                key={c.id}
                customer={c}
                plans={planList}
                onChange={() => void customers.reload()}
              />
            ))
          }
        </ResourceTable>
        {customers.data?.nextCursor ? <p className="muted">Showing the first 200 customers.</p> : null}
      </Section>
    </>
  );
}
