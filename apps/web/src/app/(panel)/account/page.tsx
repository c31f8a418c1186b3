'use client';

import type {
  changePasswordBody,
  totpCodeBody,
  totpDisableBody,
  totpSetupAnswer,
} from '@hostplane/contracts';
import { type FormEvent, useState } from 'react';
import type { z } from 'zod';
import { ErrorBox, Field, Notice, Section } from '../../../components/ui.tsx';
import { api } from '../../../lib/api.ts';
import { text } from '../../../lib/forms.ts';
import { useAction } from '../../../lib/hooks.ts';
import { useSession } from '../../../lib/session.tsx';

type TotpSetup = z.infer<typeof totpSetupAnswer>;

function raw(form: FormData, name: string): string {
  return String(form.get(name) ?? '');
}

function PasswordForm() {
  const action = useAction();
  const [done, setDone] = useState(false);
  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    setDone(false);
    const body: z.input<typeof changePasswordBody> = {
      currentPassword: raw(form, 'currentPassword'),
      newPassword: raw(form, 'newPassword'),
    };
    if (await action.run(() => api('POST', '/auth/password', body))) {
      formElement.reset();
      setDone(true);
    }
  }
  return (
    <Section title="Password">
      {done ? <Notice>Password changed; your other sessions were signed out.</Notice> : null}
      <form onSubmit={submit} noValidate aria-label="Change password">
        <ErrorBox error={action.error} />
        <div className="grid">
          <Field
            label="Current password"
            name="currentPassword"
            type="password"
            autoComplete="current-password"
            error={action.fieldError('currentPassword')}
          />
          <Field
            label="New password"
            name="newPassword"
            type="password"
            autoComplete="new-password"
            hint="10 characters or more"
            error={action.fieldError('newPassword')}
          />
        </div>
        <button type="submit" className="btn btn-primary" disabled={action.busy}>
          Change password
        </button>
      </form>
    </Section>
  );
}

function TotpSection() {
  const { user, reload } = useSession();
  const action = useAction();
  const [setup, setSetup] = useState<TotpSetup | null>(null);

  async function begin() {
    await action.run(async () => setSetup(await api<TotpSetup>('POST', '/auth/totp/setup')));
  }
  async function enable(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const body: z.input<typeof totpCodeBody> = { code: text(new FormData(event.currentTarget), 'code') };
    if (await action.run(() => api('POST', '/auth/totp/enable', body))) {
      setSetup(null);
      await reload();
    }
  }
  async function disable(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const body: z.input<typeof totpDisableBody> = {
      password: raw(new FormData(event.currentTarget), 'password'),
    };
    if (await action.run(() => api('POST', '/auth/totp/disable', body))) await reload();
  }

  if (user.totpEnabled) {
    return (
      <Section title="Two-factor authentication">
        <Notice>Two-factor authentication is on: sign-in asks for a code from your authenticator app.</Notice>
        <form onSubmit={disable} noValidate aria-label="Turn off two-factor authentication">
          <ErrorBox error={action.error} />
          <Field
            label="Password"
            name="password"
            type="password"
            autoComplete="current-password"
            error={action.fieldError('password')}
          />
          <button type="submit" className="btn btn-danger" disabled={action.busy}>
            Turn off
          </button>
        </form>
      </Section>
    );
  }
  return (
    <Section title="Two-factor authentication">
      <ErrorBox error={action.error} />
      {setup ? (
        <form onSubmit={enable} noValidate aria-label="Finish two-factor enrolment">
          <p>Add this key to your authenticator app (it is shown only now), then enter the code it shows.</p>
          <code className="secret" data-testid="totp-secret">
            {setup.secret}
          </code>
          <p className="small">
            Or open: <a href={setup.otpauthUrl}>{setup.otpauthUrl}</a>
          </p>
          <Field
            label="Code"
            name="code"
            inputMode="numeric"
            autoComplete="one-time-code"
            maxLength={6}
            error={action.fieldError('code')}
          />
          <div className="actions">
            <button type="submit" className="btn btn-primary" disabled={action.busy}>
              Turn on
            </button>
            <button type="button" className="btn btn-ghost" onClick={() => setSetup(null)}>
              Cancel
            </button>
          </div>
        </form>
      ) : (
        <>
          <p>Protect this account with a one-time code from an authenticator app.</p>
          <button type="button" className="btn btn-primary" onClick={begin} disabled={action.busy}>
            Set up two-factor authentication
          </button>
        </>
      )}
    </Section>
  );
}

export default function AccountPage() {
  const { user } = useSession();
  return (
    <>
      <h1>Account</h1>
      <p className="muted">
        Signed in as {user.email} ({user.role})
      </p>
      <PasswordForm />
      <TotpSection />
    </>
  );
}
