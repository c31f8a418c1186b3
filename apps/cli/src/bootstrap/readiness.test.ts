// What `bootstrap --apply` waits for and `bootstrap status` shows (issue 14): Deployments and
// StatefulSets as before, and on a real cluster DaemonSets (Velero's node agent) and Velero's
// BackupStorageLocation (Available once the server reached the bucket).
import type { LiveObject } from '@hostplane/provisioner-k8s';
import { describe, expect, it } from 'vitest';
import { isWorkloadReady } from './apply.ts';

const live = (kind: string, status: Record<string, unknown>, spec: Record<string, unknown> = {}) =>
  ({ apiVersion: 'v1', kind, metadata: { name: 'x', generation: 2 }, spec, status }) as LiveObject;

describe('isWorkloadReady', () => {
  it.each([
    [
      'every scheduled pod ready and updated',
      { observedGeneration: 2, desiredNumberScheduled: 1, numberReady: 1, updatedNumberScheduled: 1 },
      true,
    ],
    [
      'a pod not ready yet',
      { observedGeneration: 2, desiredNumberScheduled: 1, numberReady: 0, updatedNumberScheduled: 1 },
      false,
    ],
    [
      'the old spec still rolling',
      { observedGeneration: 2, desiredNumberScheduled: 1, numberReady: 1, updatedNumberScheduled: 0 },
      false,
    ],
    [
      'the controller has not seen the spec',
      { observedGeneration: 1, desiredNumberScheduled: 1, numberReady: 1, updatedNumberScheduled: 1 },
      false,
    ],
    [
      'no node to run on',
      { observedGeneration: 2, desiredNumberScheduled: 0, numberReady: 0, updatedNumberScheduled: 0 },
      false,
    ],
  ])('a DaemonSet: %s', (_, status, ready) => {
    expect(isWorkloadReady(live('DaemonSet', status))).toBe(ready);
  });

  it.each([
    [{ phase: 'Available' }, true],
    [{ phase: 'Unavailable', message: 'Backup store contains invalid top-level directories' }, false],
    [{}, false],
  ])('a BackupStorageLocation with status %j', (status, ready) => {
    expect(isWorkloadReady(live('BackupStorageLocation', status))).toBe(ready);
  });

  it('a Deployment: every replica ready and updated', () => {
    const spec = { replicas: 2 };
    expect(
      isWorkloadReady(
        live('Deployment', { observedGeneration: 2, readyReplicas: 2, updatedReplicas: 2 }, spec),
      ),
    ).toBe(true);
    expect(
      isWorkloadReady(
        live('Deployment', { observedGeneration: 2, readyReplicas: 1, updatedReplicas: 2 }, spec),
      ),
    ).toBe(false);
  });
});
