'use client';

import type { LoginBody } from '@hostplane/contracts';
import { useRouter, useSearchParams } from 'next/navigation';
import { type FormEvent, Suspense, useEffect, useState } from 'react';
import { ErrorBox, Field } from '../../components/ui.tsx';
import { ApiError, api } from '../../lib/api.ts';
import { optionalText, safeNext, text } from '../../lib/forms.ts';
import { useAction } from '../../lib/hooks.ts';

function LoginForm() {
  const router = useRouter();
  const params = useSearchParams();
  const action = useAction();
  const [needsTotp, setNeedsTotp] = useState(false);

  // Already signed in (a bookmark of /login): go straight on.
  useEffect(() => {
    api('GET', '/auth/me').then(
      () => router.replace(safeNext(params.get('next'))),
      () => undefined, // 401 is the expected answer here: stay on the form.
    );
  }, [router, params]);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const totp = optionalText(form, 'totp');
    const body: LoginBody = {
      email: text(form, 'email'),
      password: String(form.get('password') ?? ''),
      ...(totp ? { totp } : {}),
    };
    const ok = await action.run(async () => {
      try {
        await api('POST', '/auth/login', body);
      } catch (error) {
        if (error instanceof ApiError && error.code === 'totp-required') setNeedsTotp(true);
        throw error;
      }
    });
    if (ok) router.replace(safeNext(params.get('next')));
  }

  const totpAsked = action.error instanceof ApiError && action.error.code === 'totp-required';
  return (
    <form className="login-card card" onSubmit={submit} noValidate>
      <h1>Sign in to Hostplane</h1>
      {totpAsked ? (
        <div className="alert alert-info" role="status">
          This account uses two-factor authentication: enter the code from your authenticator app.
        </div>
      ) : (
        <ErrorBox error={action.error} />
      )}
      <Field
        label="Email"
        name="email"
        type="email"
        autoComplete="username"
        required
        error={action.fieldError('email')}
      />
      <Field
        label="Password"
        name="password"
        type="password"
        autoComplete="current-password"
        required
        error={action.fieldError('password')}
      />
      {needsTotp ? (
        <Field
          label="Authentication code"
          name="totp"
          inputMode="numeric"
          autoComplete="one-time-code"
          pattern="[0-9]{6}"
          maxLength={6}
          autoFocus
          error={action.fieldError('totp')}
        />
      ) : null}
      <button type="submit" className="btn btn-primary btn-block" disabled={action.busy}>
        {action.busy ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}

export default function LoginPage() {
  return (
    <main className="login-page">
      <Suspense>
        <LoginForm />
      </Suspense>
    </main>
  );
}
