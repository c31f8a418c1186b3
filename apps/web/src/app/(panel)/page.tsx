'use client';

import type { Customer, Plan } from '@hostplane/contracts';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useEffect } from 'react';
import { ConditionBadges, ReadyBadge } from '../../components/conditions.tsx';
import { ErrorBox, Loading, Section } from '../../components/ui.tsx';
import { useLoad } from '../../lib/hooks.ts';
import { useSession } from '../../lib/session.tsx';
import { ALL, type Page } from '../../lib/types.ts';

function AdminDashboard() {
  const customers = useLoad<Page<Customer>>(`/customers${ALL}`);
  const plans = useLoad<Page<Plan>>(`/plans${ALL}`);
  if (customers.error || plans.error) return <ErrorBox error={customers.error ?? plans.error} />;
  if (!customers.data || !plans.data) return <Loading />;
  const all = customers.data.items;
  const notReady = all.filter((c) => !c.status.ready && !c.suspended);
  return (
    <>
      <h1>Dashboard</h1>
      <div className="stats">
        <Link className="stat card" href="/admin/customers">
          <span className="stat-value">{all.length}</span>
          <span className="stat-label">customers</span>
        </Link>
        <div className="stat card">
          <span className="stat-value">{all.filter((c) => c.status.ready).length}</span>
          <span className="stat-label">ready</span>
        </div>
        <div className="stat card">
          <span className="stat-value">{all.filter((c) => c.suspended).length}</span>
          <span className="stat-label">suspended</span>
        </div>
        <Link className="stat card" href="/admin/plans">
          <span className="stat-value">{plans.data.items.length}</span>
          <span className="stat-label">plans</span>
        </Link>
      </div>
      <Section title="Needs attention">
        {notReady.length === 0 ? (
          <p className="empty">Every active customer is ready.</p>
        ) : (
          <ul className="plain-list">
            {notReady.map((c) => (
              <li key={c.id}>
                <Link href={`/customers/${c.id}`}>{c.name}</Link> <ReadyBadge customer={c} />{' '}
                <ConditionBadges conditions={c.status.conditions} />
              </li>
            ))}
          </ul>
        )}
      </Section>
    </>
  );
}

export default function DashboardPage() {
  const { user } = useSession();
  const router = useRouter();
  const ownCustomer = user.role === 'customer' ? user.customerId : null;
  useEffect(() => {
    if (ownCustomer !== null) router.replace(`/customers/${ownCustomer}`);
  }, [ownCustomer, router]);
  if (user.role === 'admin') return <AdminDashboard />;
  return ownCustomer === null ? <p>This account has no customer attached.</p> : <Loading />;
}
