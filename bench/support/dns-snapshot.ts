// The customer of the DNS benchmarks: the tests' snapshot, owning the given domains (a plan of 1,000).
import type { CustomerSnapshot, DomainRow } from '@hostplane/domain';
import { customerSnapshot } from '@hostplane/testing/snapshots';

export function benchSnapshot(id: number, rows: DomainRow[], deleting = false): CustomerSnapshot {
  const { plan } = customerSnapshot();
  return customerSnapshot({
    id,
    name: 'bench',
    email: 'bench@example.test',
    deleting,
    plan: { ...plan, name: 'bench', limits: { ...plan.limits, domains: 1000 } },
    domains: rows,
  });
}
