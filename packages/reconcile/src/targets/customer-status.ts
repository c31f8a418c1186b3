// The first real target: the customer's own row. It proves the framework end to end and tells
// the operator when a customer holds more than its plan allows (e.g. after a plan downgrade).
// The plan rules are @hostplane/domain's (plans/limits), the same the API checks changes with.
import {
  type CustomerSnapshot,
  describeOverrun,
  planOverruns,
  quantityBytes,
  snapshotUsage,
} from '@hostplane/domain';
import type { Target, TargetOutcome } from '../target.ts';

/** Bytes of a Kubernetes quantity such as "10Gi" or "500M"; null when it is not one. */
export { quantityBytes };

/** Every plan limit the customer's current rows exceed, in words (empty when within the plan). */
export function planOverrunMessages(snapshot: CustomerSnapshot): string[] {
  const { limits } = snapshot.plan;
  return planOverruns(limits, snapshotUsage(snapshot)).map((o) => describeOverrun(limits, o));
}

/** The Customer condition for a snapshot (pure). */
export function evaluateCustomerStatus(snapshot: CustomerSnapshot): TargetOutcome {
  if (snapshot.deleting) {
    return {
      status: 'True',
      reason: 'Deleted',
      message: 'customer is being deleted; nothing left to remove',
      changes: 0,
    };
  }
  const overruns = planOverrunMessages(snapshot);
  if (overruns.length > 0) {
    return {
      status: 'False',
      reason: 'OverPlan',
      message: `exceeds plan "${snapshot.plan.name}": ${overruns.join('; ')}`,
      changes: 0,
    };
  }
  if (snapshot.suspended) {
    return { status: 'True', reason: 'Suspended', message: 'customer is suspended', changes: 0 };
  }
  return { status: 'True', reason: 'Ready', message: `within plan "${snapshot.plan.name}"`, changes: 0 };
}

export const customerStatusTarget: Target = {
  name: 'Customer',
  async run(snapshot) {
    return evaluateCustomerStatus(snapshot);
  },
};
