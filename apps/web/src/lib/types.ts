import type { Customer, Plan } from '@hostplane/contracts';

/** The API's list answers (pageOf in @hostplane/contracts). */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Lists ask for the API's largest page; the panel shows a note when there is more. */
export const ALL = '?limit=200';

export function planName(plans: Plan[] | undefined, id: number): string {
  return plans?.find((p) => p.id === id)?.name ?? `plan ${id}`;
}

export function customerState(customer: Customer): { tone: 'ok' | 'bad' | 'warn' | 'muted'; label: string } {
  if (customer.deleting) return { tone: 'muted', label: 'Deleting' };
  if (customer.suspended) return { tone: 'warn', label: 'Suspended' };
  return customer.status.ready ? { tone: 'ok', label: 'Ready' } : { tone: 'bad', label: 'Not ready' };
}

/** How often pages showing reconcile status (customers, sites) poll the API. */
export const STATUS_REFRESH_MS = 15_000;
