'use client';

import { type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes, useId, useState } from 'react';
import { ApiError } from '../lib/api.ts';

interface FieldShell {
  label: string;
  name: string;
  error?: string | undefined;
  hint?: string;
}

function Shell({ label, error, hint, id, children }: FieldShell & { id: string; children: ReactNode }) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children}
      {hint && !error ? (
        <small className="hint" id={`${id}-hint`}>
          {hint}
        </small>
      ) : null}
      {error ? (
        <small className="field-error" id={`${id}-error`} role="alert">
          {error}
        </small>
      ) : null}
    </div>
  );
}

function describedBy(id: string, error?: string, hint?: string): string | undefined {
  if (error) return `${id}-error`;
  return hint ? `${id}-hint` : undefined;
}

export function Field({
  label,
  name,
  error,
  hint,
  ...input
}: FieldShell & Omit<InputHTMLAttributes<HTMLInputElement>, 'name'>) {
  const id = useId();
  return (
    <Shell label={label} name={name} error={error} hint={hint} id={id}>
      <input
        id={id}
        name={name}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, error, hint)}
        {...input}
      />
    </Shell>
  );
}

export function TextArea({
  label,
  name,
  error,
  hint,
  defaultValue,
  rows = 2,
}: FieldShell & { defaultValue?: string; rows?: number }) {
  const id = useId();
  return (
    <Shell label={label} name={name} error={error} hint={hint} id={id}>
      <textarea
        id={id}
        name={name}
        rows={rows}
        defaultValue={defaultValue}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, error, hint)}
      />
    </Shell>
  );
}

export function Select({
  label,
  name,
  error,
  hint,
  options,
  ...select
}: FieldShell & {
  options: { value: string; label: string }[];
} & Omit<SelectHTMLAttributes<HTMLSelectElement>, 'name'>) {
  const id = useId();
  return (
    <Shell label={label} name={name} error={error} hint={hint} id={id}>
      <select
        id={id}
        name={name}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, error, hint)}
        {...select}
      >
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </Shell>
  );
}

export function Check({
  label,
  name,
  defaultChecked,
}: {
  label: string;
  name: string;
  defaultChecked?: boolean;
}) {
  const id = useId();
  return (
    <div className="check">
      <input type="checkbox" id={id} name={name} defaultChecked={defaultChecked} />
      <label htmlFor={id}>{label}</label>
    </div>
  );
}

/** The problem of a failed call: its title and detail (field messages show beside their fields). */
export function ErrorBox({ error }: { error: Error | null }) {
  if (!error) return null;
  const title = error instanceof ApiError ? error.problem.title : 'Something went wrong';
  return (
    <div className="alert alert-error" role="alert">
      <strong>{title}</strong>
      {error.message && error.message !== title ? <span> — {error.message}</span> : null}
    </div>
  );
}

export function Notice({ children }: { children: ReactNode }) {
  return (
    <div className="alert alert-info" role="status">
      {children}
    </div>
  );
}

export type Tone = 'ok' | 'bad' | 'warn' | 'muted';

export function Badge({ tone, children, title }: { tone: Tone; children: ReactNode; title?: string }) {
  return (
    <span className={`badge badge-${tone}`} title={title}>
      {children}
    </span>
  );
}

/** A destructive action that asks once, inline (no modal dialog to trap focus in). */
export function ConfirmButton({
  label,
  question,
  onConfirm,
  disabled,
}: {
  label: string;
  question: string;
  onConfirm: () => void | Promise<void>;
  disabled?: boolean;
}) {
  const [asking, setAsking] = useState(false);
  if (!asking) {
    return (
      <button
        type="button"
        className="btn btn-danger-ghost"
        disabled={disabled}
        onClick={() => setAsking(true)}
      >
        {label}
      </button>
    );
  }
  return (
    <span className="confirm">
      <span role="status">{question}</span>
      <button
        type="button"
        className="btn btn-danger"
        onClick={async () => {
          setAsking(false);
          await onConfirm();
        }}
      >
        Yes, {label.toLowerCase()}
      </button>
      <button type="button" className="btn btn-ghost" onClick={() => setAsking(false)}>
        Cancel
      </button>
    </span>
  );
}

export function Section({
  title,
  actions,
  children,
}: {
  title: string;
  actions?: ReactNode;
  children: ReactNode;
}) {
  return (
    <section className="card">
      <header className="card-header">
        <h2>{title}</h2>
        {actions}
      </header>
      {children}
    </section>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}

export function Loading() {
  return <p className="muted">Loading…</p>;
}

/** The "New …" / "Close" button that opens a create form above a list. */
export function CreateToggle({
  open,
  onToggle,
  label,
}: {
  open: boolean;
  onToggle: () => void;
  label: string;
}) {
  return (
    <button type="button" className="btn btn-primary" onClick={onToggle}>
      {open ? 'Close' : label}
    </button>
  );
}

/** A loaded list as a table: loading, empty text, or the header (plus the actions column) and the rows. */
export function ResourceTable<T>({
  items,
  empty,
  columns,
  actions = true,
  children,
}: {
  items: T[] | undefined;
  empty: ReactNode;
  columns: string[];
  /** A last column of row actions (its header read only by screen readers). */
  actions?: boolean;
  children: (items: T[]) => ReactNode;
}) {
  if (!items) return <Loading />;
  if (items.length === 0) return <Empty>{empty}</Empty>;
  return (
    <div className="table-wrap">
      <table>
        <thead>
          <tr>
            {columns.map((column) => (
              <th key={column} scope="col">
                {column}
              </th>
            ))}
            {actions ? (
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            ) : null}
          </tr>
        </thead>
        <tbody>{children(items)}</tbody>
      </table>
    </div>
  );
}
