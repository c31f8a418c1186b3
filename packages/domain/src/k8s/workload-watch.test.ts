import { describe, expect, it } from 'vitest';
import {
  customerOfWorkload,
  SITE_DEPLOYMENT_SELECTOR,
  SITE_POD_SELECTOR,
  type WatchedWorkload,
  workloadChangeMatters,
  workloadSignal,
} from './workload-watch.ts';

const labels = {
  'app.kubernetes.io/managed-by': 'hostplane',
  'customer-id': '1001',
  tenant: 'true',
  'hostplane.io/site': 'home',
};

function deployment(status: object, extra: { replicas?: number; generation?: number } = {}): WatchedWorkload {
  return {
    metadata: { name: 'home', namespace: 'cust-1001', labels, generation: extra.generation ?? 2 },
    spec: { replicas: extra.replicas ?? 1 },
    status: {
      observedGeneration: 2,
      replicas: 1,
      readyReplicas: 1,
      availableReplicas: 1,
      updatedReplicas: 1,
      conditions: [
        {
          type: 'Progressing',
          status: 'True',
          reason: 'NewReplicaSetAvailable',
          message: 'ReplicaSet "home-7c9" has successfully progressed.',
          lastUpdateTime: '2026-11-28T09:00:00Z',
        },
        { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable' },
      ],
      ...status,
    },
  };
}

function pod(ready: boolean, container: object = {}, extra: object = {}): WatchedWorkload {
  return {
    metadata: { name: 'home-7c9-x1', namespace: 'cust-1001', labels },
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: 'x' }],
      containerStatuses: [
        {
          name: 'nginx',
          ready,
          restartCount: 0,
          state: { running: { startedAt: '2026-11-28T09:00:00Z' } },
          ...container,
        },
      ],
      ...extra,
    },
  };
}

const signal = workloadSignal;

describe('workloadSignal: what the site status reads, and nothing else', () => {
  it.each([
    ['ready replicas drop', { readyReplicas: 0, availableReplicas: 0, unavailableReplicas: 1 }],
    ['a new generation observed', { observedGeneration: 3 }],
    ['a condition turns False', { conditions: [{ type: 'Available', status: 'False', reason: 'Min' }] }],
    [
      'a quota refusal appears',
      {
        conditions: [
          { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable' },
          { type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'exceeded quota' },
        ],
      },
    ],
  ])('a Deployment moves when %s', (_name, status) => {
    expect(signal('Deployment', deployment(status))).not.toBe(signal('Deployment', deployment({})));
  });

  it('a Deployment moves when it is scaled or its spec changed', () => {
    expect(signal('Deployment', deployment({}, { replicas: 0 }))).not.toBe(
      signal('Deployment', deployment({})),
    );
    expect(signal('Deployment', deployment({}, { generation: 3 }))).not.toBe(
      signal('Deployment', deployment({})),
    );
  });

  it("does not move with a Deployment's heartbeats: timestamps, messages of rollouts, condition order", () => {
    const touched = deployment({
      conditions: [
        { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', lastUpdateTime: 'later' },
        {
          type: 'Progressing',
          status: 'True',
          reason: 'NewReplicaSetAvailable',
          message: 'another message',
          lastUpdateTime: '2026-11-28T09:05:00Z',
        },
      ],
    });
    expect(signal('Deployment', touched)).toBe(signal('Deployment', deployment({})));
  });

  it.each([
    ['the pod turns unready', pod(false)],
    [
      'a container waits in CrashLoopBackOff',
      pod(false, { state: { waiting: { reason: 'CrashLoopBackOff' } } }),
    ],
    ['a container is restarted', pod(true, { restartCount: 1 })],
    [
      'a container was OOMKilled',
      pod(true, { restartCount: 1, lastState: { terminated: { reason: 'OOMKilled', exitCode: 137 } } }),
    ],
    ['an image cannot be pulled', pod(false, { state: { waiting: { reason: 'ErrImageNeverPull' } } })],
  ])('a Pod moves when %s', (_name, changed) => {
    expect(signal('Pod', changed)).not.toBe(signal('Pod', pod(true)));
  });

  it("does not move with a Pod's timestamps or a waiting message that only repeats", () => {
    const later = pod(true, { state: { running: { startedAt: '2026-11-28T09:30:00Z' } } });
    expect(signal('Pod', later)).toBe(signal('Pod', pod(true)));
    const backOff = (message: string) =>
      pod(false, { state: { waiting: { reason: 'CrashLoopBackOff', message } } });
    expect(signal('Pod', backOff('back-off 10s'))).toBe(signal('Pod', backOff('back-off 20s')));
  });
});

describe('workloadChangeMatters', () => {
  const before = signal('Deployment', deployment({}));
  const after = signal('Deployment', deployment({ readyReplicas: 0 }));

  it.each([
    // kind, event, known, signal, synced, matters
    ['the first list only learns', 'Deployment', 'listed', undefined, before, false, false],
    ['an event before the first list is in', 'Deployment', 'changed', undefined, after, false, false],
    ['a moved signal', 'Deployment', 'changed', before, after, true, true],
    ['the same signal (a heartbeat)', 'Deployment', 'changed', before, before, true, false],
    ['a new object after the first list', 'Pod', 'changed', undefined, before, true, true],
    ['a relist that finds a moved signal', 'Deployment', 'listed', before, after, true, true],
    ['a relist of an unchanged cluster', 'Deployment', 'listed', before, before, true, false],
    ['a deleted Deployment', 'Deployment', 'deleted', before, before, true, true],
    ['a deleted Pod (its Deployment tells)', 'Pod', 'deleted', before, before, true, false],
  ] as const)('%s', (_name, kind, event, known, next, synced, matters) => {
    expect(workloadChangeMatters(kind, event, known, next, synced)).toBe(matters);
  });
});

describe('customerOfWorkload', () => {
  it('is the customer-id label of a managed object in that customer namespace', () => {
    expect(customerOfWorkload(deployment({}))).toBe(1001);
  });

  it.each([
    ['another namespace', { ...labels }, 'kube-system'],
    ['a namespace of another customer', { ...labels }, 'cust-1002'],
    ['not managed by hostplane', { ...labels, 'app.kubernetes.io/managed-by': 'helm' }, 'cust-1001'],
    ['no customer id', { 'app.kubernetes.io/managed-by': 'hostplane' }, 'cust-1001'],
    ['a malformed id', { ...labels, 'customer-id': '01001' }, 'cust-01001'],
  ])('is null for %s', (_name, objectLabels, namespace) => {
    expect(customerOfWorkload({ metadata: { name: 'x', namespace, labels: objectLabels } })).toBeNull();
  });
});

describe('selectors of the watches', () => {
  it('select site Deployments, and only the web and database pods of sites (not cron runs)', () => {
    expect(SITE_DEPLOYMENT_SELECTOR).toBe('app.kubernetes.io/managed-by=hostplane,hostplane.io/site');
    expect(SITE_POD_SELECTOR).toBe(
      'app.kubernetes.io/managed-by=hostplane,hostplane.io/site,hostplane.io/component in (web,database)',
    );
  });
});
