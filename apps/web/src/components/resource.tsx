'use client';

// The panel's list-plus-create pattern in one place (issue 10): a form that shows the action's error
// above its fields and a submit button (plus an optional cancel) below them, and a section whose
// "New …" button opens a create form above the list.
import { type FormEvent, type ReactNode, useState } from 'react';
import type { Action } from '../lib/hooks.ts';
import { CreateToggle, ErrorBox, Section } from './ui.tsx';

/**
 * A form of the panel: `aria-label` names it (tests and screen readers find it by that name), the
 * action's error is shown on top, `submitLabel` is the primary button, disabled while the action runs.
 */
export function InlineForm({
  label,
  action,
  onSubmit,
  submitLabel,
  onCancel,
  className = 'form',
  footer,
  children,
}: {
  label: string;
  action: Pick<Action, 'busy' | 'error'>;
  onSubmit: (event: FormEvent<HTMLFormElement>) => void | Promise<void>;
  submitLabel: string;
  /** Shows a Cancel button that calls it. */
  onCancel?: () => void;
  /** `form` (default) or `form inline`. */
  className?: string;
  /** Shown after the buttons, inside the actions row. */
  footer?: ReactNode;
  children: ReactNode;
}) {
  return (
    <form
      className={className}
      onSubmit={(event) => {
        event.preventDefault();
        void onSubmit(event);
      }}
      noValidate
      aria-label={label}
    >
      <ErrorBox error={action.error} />
      {children}
      <div className="actions">
        <button type="submit" className="btn btn-primary" disabled={action.busy}>
          {submitLabel}
        </button>
        {onCancel ? (
          <button type="button" className="btn btn-ghost" onClick={onCancel}>
            Cancel
          </button>
        ) : null}
        {footer}
      </div>
    </form>
  );
}

/**
 * A titled list with a "New …" button that opens `create` above it. `create(close)` renders the form;
 * the form calls `close` once it created something (the section closes it and calls `onCreated`).
 */
export function ResourceSection({
  title,
  createLabel,
  create,
  onCreated,
  error,
  before,
  actions,
  children,
}: {
  title: string;
  createLabel: string;
  create: (done: () => void) => ReactNode;
  onCreated?: () => void;
  /** The list's load error. */
  error?: Error | null;
  /** Shown above the create form (e.g. credentials shown once after a create). */
  before?: ReactNode;
  /** More actions in the section's header, before the create toggle (e.g. a link). */
  actions?: ReactNode;
  children: ReactNode;
}) {
  const [creating, setCreating] = useState(false);
  return (
    <Section
      title={title}
      actions={
        <>
          {actions}
          <CreateToggle open={creating} onToggle={() => setCreating(!creating)} label={createLabel} />
        </>
      }
    >
      {before}
      {creating
        ? create(() => {
            setCreating(false);
            onCreated?.();
          })
        : null}
      <ErrorBox error={error ?? null} />
      {children}
    </Section>
  );
}
