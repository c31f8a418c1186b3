'use client';

import type { meAnswer } from '@hostplane/contracts';
import Link from 'next/link';
import { usePathname, useRouter } from 'next/navigation';
import { type ReactNode, useEffect } from 'react';
import type { z } from 'zod';
import { ErrorBox, Loading } from '../../components/ui.tsx';
import { ApiError, api } from '../../lib/api.ts';
import { useLoad } from '../../lib/hooks.ts';
import { SessionProvider } from '../../lib/session.tsx';

type Me = z.infer<typeof meAnswer>;

function NavLink({ href, children }: { href: string; children: ReactNode }) {
  const pathname = usePathname();
  const active = href === '/' ? pathname === '/' : pathname.startsWith(href);
  return (
    <Link
      href={href}
      className={active ? 'nav-link active' : 'nav-link'}
      aria-current={active ? 'page' : undefined}
    >
      {children}
    </Link>
  );
}

export default function PanelLayout({ children }: { children: ReactNode }) {
  const router = useRouter();
  const pathname = usePathname();
  const me = useLoad<Me>('/auth/me');
  const unauthenticated = me.error instanceof ApiError && me.error.status === 401;
  useEffect(() => {
    if (unauthenticated) router.replace(`/login?next=${encodeURIComponent(pathname)}`);
  }, [unauthenticated, router, pathname]);

  if (!me.data) {
    return (
      <main className="page">
        {me.error && !unauthenticated ? <ErrorBox error={me.error} /> : <Loading />}
      </main>
    );
  }
  const { user } = me.data;
  async function logout() {
    await api('POST', '/auth/logout');
    router.replace('/login');
  }
  return (
    <SessionProvider value={{ user, reload: me.reload }}>
      <div className="shell">
        <header className="topbar">
          <Link href="/" className="brand">
            Hostplane
          </Link>
          <nav aria-label="Main">
            <NavLink href="/">Dashboard</NavLink>
            {user.role === 'admin' ? (
              <>
                <NavLink href="/admin/customers">Customers</NavLink>
                <NavLink href="/admin/plans">Plans</NavLink>
              </>
            ) : user.customerId !== null ? (
              <NavLink href={`/customers/${user.customerId}`}>My hosting</NavLink>
            ) : null}
            <NavLink href="/tokens">API tokens</NavLink>
            <NavLink href="/account">Account</NavLink>
          </nav>
          <div className="user">
            <span className="muted" data-testid="user-email">
              {user.email} ({user.role})
            </span>
            <button type="button" className="btn btn-ghost" onClick={logout}>
              Sign out
            </button>
          </div>
        </header>
        <main className="page">{children}</main>
      </div>
    </SessionProvider>
  );
}
