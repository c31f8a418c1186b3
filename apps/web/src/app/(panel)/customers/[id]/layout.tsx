'use client';

import type { Customer } from '@hostplane/contracts';
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import type { ReactNode } from 'react';
import { ConditionBadges, ConditionDetails, ReadyBadge } from '../../../../components/conditions.tsx';
import { ErrorBox, Loading, Notice } from '../../../../components/ui.tsx';
import { api } from '../../../../lib/api.ts';
import { CustomerProvider, useCustomerId } from '../../../../lib/customer.tsx';
import { useAction, useLoad } from '../../../../lib/hooks.ts';
import { useSession } from '../../../../lib/session.tsx';
import { STATUS_REFRESH_MS } from '../../../../lib/types.ts';

const TABS = [
  { path: '', label: 'Sites' },
  { path: '/domains', label: 'Domains & DNS' },
  { path: '/mail', label: 'Mail' },
  { path: '/backups', label: 'Backups' },
];

function Tabs({ root }: { root: string }) {
  const pathname = usePathname();
  return (
    <nav className="tabs" aria-label="Customer sections">
      {TABS.map((tab) => {
        const href = `${root}${tab.path}`;
        const active = tab.path === '' ? pathname === root : pathname.startsWith(href);
        return (
          <Link
            key={tab.label}
            href={href}
            className={active ? 'tab active' : 'tab'}
            aria-current={active ? 'page' : undefined}
          >
            {tab.label}
          </Link>
        );
      })}
    </nav>
  );
}

export default function CustomerLayout({ children }: { children: ReactNode }) {
  const id = useCustomerId();
  const { user } = useSession();
  const base = `/customers/${encodeURIComponent(id)}`;
  const customer = useLoad<Customer>(base, STATUS_REFRESH_MS);
  const resync = useAction();
  if (customer.error) return <ErrorBox error={customer.error} />;
  if (!customer.data) return <Loading />;
  const c = customer.data;
  return (
    <CustomerProvider value={{ customer: c, base, reload: customer.reload }}>
      <div className="page-header">
        <div>
          <h1>{c.name}</h1>
          <p className="muted">
            #{c.id} · {c.email} · namespace {c.namespace}
          </p>
        </div>
        <div className="header-status">
          <ReadyBadge customer={c} />
          <ConditionBadges conditions={c.status.conditions} />
          {user.role === 'admin' ? (
            <button
              type="button"
              className="btn btn-ghost"
              disabled={resync.busy}
              onClick={() => void resync.run(() => api('POST', `${base}/reconcile`))}
            >
              Resync
            </button>
          ) : null}
          <button type="button" className="btn btn-ghost" onClick={() => void customer.reload()}>
            Refresh
          </button>
        </div>
      </div>
      <ErrorBox error={resync.error} />
      {c.suspended ? <Notice>This customer is suspended: its resources are read-only.</Notice> : null}
      <ConditionDetails conditions={c.status.conditions} />
      <Tabs root={`/customers/${id}`} />
      {children}
    </CustomerProvider>
  );
}
