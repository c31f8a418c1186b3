import { describe, expect, it } from 'vitest';
import { describeStuckNamespace } from './delete.ts';
import { kubeErrorFromStatus } from './errors.ts';
import { resolvesToPlatform } from './host-resolver.ts';
import { kubernetesOutcome } from './outcome.ts';
import type { LiveObject } from './port.ts';
import { type SiteStatusInput, summarizeSites } from './site-status.ts';

const site = 'home';
const labels = { 'hostplane.io/site': site };

function obj(
  kind: string,
  name: string,
  spec: object,
  status: object,
  extra: Partial<LiveObject> = {},
): LiveObject {
  return {
    apiVersion: 'v1',
    kind,
    metadata: { name, labels, generation: 1 },
    spec: spec as never,
    status: status as never,
    ...extra,
  };
}

const readyDeployment = obj('Deployment', site, { replicas: 2 }, { readyReplicas: 2, observedGeneration: 1 });
const boundVolume = obj('PersistentVolumeClaim', `${site}-data`, {}, { phase: 'Bound' });

function input(live: LiveObject[], overrides: Partial<SiteStatusInput> = {}): SiteStatusInput {
  return {
    suspended: false,
    sites: [{ name: site, hosts: ['home.example.com'], database: false }],
    hosts: { 'home.example.com': { tls: true, resolvesTo: ['203.0.113.10'] } },
    live,
    failures: [],
    ...overrides,
  };
}

/** A pod whose app container is running, unready, with 12 failed startup probes and `restarts`. */
function startupProbeFailing(restarts: number): SiteStatusInput {
  return input([
    obj('Deployment', site, { replicas: 1 }, { readyReplicas: 0, observedGeneration: 1 }),
    boundVolume,
    obj(
      'Pod',
      'home-abc-1',
      {},
      {
        containerStatuses: [
          { name: 'app', ready: false, restartCount: restarts, state: { running: { startedAt: 'x' } } },
        ],
      },
    ),
    obj(
      'Event',
      'e1',
      {},
      {},
      {
        reason: 'Unhealthy',
        count: 12,
        message: 'Startup probe failed: dial tcp 10.88.0.5:9000: connect: connection refused',
        involvedObject: { kind: 'Pod', name: 'home-abc-1', fieldPath: 'spec.containers{app}' },
      },
    ),
  ]);
}

describe('summarizeSites', () => {
  it.each<[string, SiteStatusInput, { state: string; reason: string; message?: RegExp }]>([
    ['ready', input([readyDeployment, boundVolume]), { state: 'Ready', reason: 'Ready' }],
    [
      'pods still starting',
      input([
        obj('Deployment', site, { replicas: 2 }, { readyReplicas: 1, observedGeneration: 1 }),
        boundVolume,
      ]),
      { state: 'Progressing', reason: 'Progressing', message: /1\/2 ready/ },
    ],
    [
      'volume not bound',
      input([readyDeployment, obj('PersistentVolumeClaim', `${site}-data`, {}, { phase: 'Pending' })]),
      { state: 'Progressing', reason: 'VolumePending' },
    ],
    [
      'quota refuses a pod',
      input([
        readyDeployment,
        boundVolume,
        obj(
          'ReplicaSet',
          `${site}-abc`,
          { replicas: 3 },
          {
            conditions: [
              {
                type: 'ReplicaFailure',
                status: 'True',
                reason: 'FailedCreate',
                message:
                  'pods "home-abc-x" is forbidden: exceeded quota: plan, requested: pods=1, used: pods=4, limited: pods=4',
              },
            ],
          },
        ),
      ]),
      { state: 'Failed', reason: 'QuotaExceeded', message: /limited: pods=4/ },
    ],
    [
      'image cannot be pulled',
      input([
        obj('Deployment', site, { replicas: 1 }, { readyReplicas: 0, observedGeneration: 1 }),
        boundVolume,
        obj(
          'Pod',
          `${site}-abc-1`,
          {},
          {
            containerStatuses: [
              { name: 'app', state: { waiting: { reason: 'ErrImagePull', message: 'manifest unknown' } } },
            ],
          },
        ),
      ]),
      { state: 'Failed', reason: 'ImagePullBackOff', message: /home-abc-1\/app: manifest unknown/ },
    ],
    [
      'crash loop',
      input([
        obj('Deployment', site, { replicas: 1 }, { readyReplicas: 0, observedGeneration: 1 }),
        boundVolume,
        obj(
          'Pod',
          `${site}-abc-1`,
          {},
          {
            containerStatuses: [
              { name: 'app', state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 5m0s' } } },
            ],
          },
        ),
      ]),
      { state: 'Failed', reason: 'CrashLoopBackOff' },
    ],
    [
      'image not on the node and never pulled',
      input([
        obj('Deployment', site, { replicas: 1 }, { readyReplicas: 0, observedGeneration: 1 }),
        boundVolume,
        obj(
          'Pod',
          `${site}-abc-1`,
          {},
          {
            containerStatuses: [
              {
                name: 'app',
                state: { waiting: { reason: 'ErrImageNeverPull', message: 'image "x:1" is not present' } },
              },
            ],
          },
        ),
      ]),
      {
        state: 'Failed',
        reason: 'ErrImageNeverPull',
        message: /home-abc-1\/app: image "x:1" is not present/,
      },
    ],
    [
      'crash loop with the last log lines',
      input([
        obj('Deployment', site, { replicas: 1 }, { readyReplicas: 0, observedGeneration: 1 }),
        boundVolume,
        obj(
          'Pod',
          `${site}-abc-1`,
          {},
          {
            containerStatuses: [
              {
                name: 'app',
                restartCount: 3,
                state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s' } },
                lastState: {
                  terminated: {
                    reason: 'Error',
                    exitCode: 1,
                    message: 'nginx: [emerg] unknown directive "lisen"\n',
                  },
                },
              },
            ],
          },
        ),
      ]),
      {
        state: 'Failed',
        reason: 'CrashLoopBackOff',
        message: /exit code 1 \(Error\) after 3 restarts: nginx: \[emerg\] unknown directive "lisen"/,
      },
    ],
    [
      'killed for exceeding its memory limit',
      input([
        obj('Deployment', site, { replicas: 1 }, { readyReplicas: 0, observedGeneration: 1 }),
        boundVolume,
        obj(
          'Pod',
          `${site}-abc-1`,
          {},
          {
            containerStatuses: [
              {
                name: 'php-fpm',
                restartCount: 1,
                state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 10s' } },
                lastState: { terminated: { reason: 'OOMKilled', exitCode: 137 } },
              },
            ],
          },
        ),
      ]),
      {
        state: 'Failed',
        reason: 'OOMKilled',
        message: /home-abc-1\/php-fpm: killed for exceeding its memory limit/,
      },
    ],
    [
      'database refused by quota (StatefulSet event)',
      input(
        [
          readyDeployment,
          boundVolume,
          obj('StatefulSet', `${site}-db`, { replicas: 1 }, { readyReplicas: 0, observedGeneration: 1 }),
          obj(
            'Event',
            'e1',
            {},
            {},
            {
              reason: 'FailedCreate',
              message:
                'create Pod home-db-0 in StatefulSet home-db failed error: pods "home-db-0" is forbidden: exceeded quota: plan',
              involvedObject: { kind: 'StatefulSet', name: `${site}-db` },
            },
          ),
        ],
        { sites: [{ name: site, hosts: ['home.example.com'], database: true }] },
      ),
      { state: 'Failed', reason: 'QuotaExceeded' },
    ],
    [
      'a running container whose readiness probe keeps failing',
      input([
        obj('Deployment', site, { replicas: 1 }, { readyReplicas: 0, observedGeneration: 1 }),
        boundVolume,
        obj(
          'Pod',
          'home-abc-1',
          {},
          {
            containerStatuses: [{ name: 'nginx', ready: false, state: { running: { startedAt: 'x' } } }],
          },
        ),
        obj(
          'Event',
          'e-old',
          {},
          {},
          {
            reason: 'Unhealthy',
            count: 1,
            lastTimestamp: '2026-01-01T00:00:01Z',
            message: 'Startup probe failed: dial tcp 10.88.0.5:8080: connect: connection refused',
            involvedObject: { kind: 'Pod', name: 'home-abc-1', fieldPath: 'spec.containers{nginx}' },
          },
        ),
        obj(
          'Event',
          'e-new',
          {},
          {},
          {
            reason: 'Unhealthy',
            count: 4,
            lastTimestamp: '2026-01-01T00:01:00Z',
            message: 'Readiness probe failed: HTTP probe failed with statuscode: 502',
            involvedObject: { kind: 'Pod', name: 'home-abc-1', fieldPath: 'spec.containers{nginx}' },
          },
        ),
      ]),
      {
        state: 'Failed',
        reason: 'ReadinessProbeFailed',
        message:
          /home-abc-1\/nginx: Readiness probe failed: HTTP probe failed with statuscode: 502 \(4 times\)/,
      },
    ],
    [
      'a single failed probe while the server starts is still progress',
      input([
        obj('Deployment', site, { replicas: 1 }, { readyReplicas: 0, observedGeneration: 1 }),
        boundVolume,
        obj(
          'Pod',
          'home-abc-1',
          {},
          {
            containerStatuses: [{ name: 'nginx', ready: false, state: { running: { startedAt: 'x' } } }],
          },
        ),
        obj(
          'Event',
          'e1',
          {},
          {},
          {
            reason: 'Unhealthy',
            count: 1,
            message: 'Startup probe failed: dial tcp 10.88.0.5:8080: connect: connection refused',
            involvedObject: { kind: 'Pod', name: 'home-abc-1', fieldPath: 'spec.containers{nginx}' },
          },
        ),
      ]),
      { state: 'Progressing', reason: 'Progressing' },
    ],
    [
      'a startup probe failing while the app starts (within its threshold, never restarted) is progress',
      startupProbeFailing(0),
      { state: 'Progressing', reason: 'Progressing' },
    ],
    [
      'a container the kubelet restarted for its startup probe has failed',
      startupProbeFailing(1),
      {
        state: 'Failed',
        reason: 'StartupProbeFailed',
        message: /home-abc-1\/app: Startup probe failed.*\(12 times\)/,
      },
    ],
    [
      'probe events of a container that is ready now are history',
      input([
        readyDeployment,
        boundVolume,
        obj(
          'Pod',
          'home-abc-1',
          {},
          {
            containerStatuses: [{ name: 'nginx', ready: true, state: { running: { startedAt: 'x' } } }],
          },
        ),
        obj(
          'Event',
          'e1',
          {},
          {},
          {
            reason: 'Unhealthy',
            count: 9,
            message: 'Liveness probe failed: timeout',
            involvedObject: { kind: 'Pod', name: 'home-abc-1', fieldPath: 'spec.containers{nginx}' },
          },
        ),
      ]),
      { state: 'Ready', reason: 'Ready' },
    ],
    [
      'host not pointing here',
      input([readyDeployment, boundVolume], {
        hosts: { 'home.example.com': { tls: false, resolvesTo: ['198.51.100.7'] } },
      }),
      { state: 'Ready', reason: 'AwaitingDNS', message: /home.example.com resolves to 198.51.100.7/ },
    ],
    [
      'suspended',
      input([obj('Deployment', site, { replicas: 0 }, { observedGeneration: 1 }), boundVolume], {
        suspended: true,
      }),
      { state: 'Suspended', reason: 'Suspended' },
    ],
    [
      'an apply refused',
      input([readyDeployment, boundVolume], {
        failures: [
          {
            key: 'PersistentVolumeClaim/home-data',
            site,
            code: 'QuotaExceeded',
            message: 'exceeded quota: plan',
          },
        ],
      }),
      { state: 'Failed', reason: 'QuotaExceeded', message: /PersistentVolumeClaim\/home-data/ },
    ],
  ])('%s', (_, given, want) => {
    const [status] = summarizeSites(given);
    expect(status).toMatchObject({ state: want.state, reason: want.reason });
    if (want.message) expect(status?.message).toMatch(want.message);
  });
});

describe('kubernetesOutcome', () => {
  const ready = summarizeSites(input([readyDeployment, boundVolume]));
  it.each([
    ['all ready', ready, [], { status: 'True', reason: 'Ready' }],
    ['no sites', [], [], { status: 'True', reason: 'Ready' }],
    [
      'a guard rail refused',
      ready,
      [{ key: 'ResourceQuota/plan', code: 'Invalid', message: 'bad' }],
      { status: 'False', reason: 'Invalid' },
    ],
    [
      'progressing',
      summarizeSites(input([boundVolume])),
      [],
      { status: 'False', reason: 'Progressing', requeue: true },
    ],
  ])('%s', (_, sites, failures, want) => {
    expect(kubernetesOutcome(sites, failures, 0)).toMatchObject(want);
  });

  it('looks again soon while a site starts beside a failed one, not when only failures are left', () => {
    const [failed] = summarizeSites(
      input([readyDeployment, boundVolume], {
        failures: [{ key: 'Deployment/home', site, code: 'Invalid', message: 'bad' }],
      }),
    );
    const [starting] = summarizeSites(input([boundVolume]));
    const other = { ...starting!, name: 'other' };
    expect(kubernetesOutcome([failed!, other], [], 0)).toMatchObject({ status: 'False', requeue: true });
    expect(kubernetesOutcome([failed!], [], 0).requeue).toBeUndefined();
  });
});

describe('resolvesToPlatform', () => {
  const platform = { ipv4: ['203.0.113.10'], ipv6: ['2001:db8::10'] };
  it.each<[string[], boolean]>([
    [[], false],
    [['203.0.113.10'], true],
    [['203.0.113.10', '2001:0db8:0000::0010'], true],
    [['203.0.113.10', '198.51.100.1'], false],
  ])('%j → %s', (addresses, want) => {
    expect(resolvesToPlatform(addresses, platform)).toBe(want);
  });
});

describe('describeStuckNamespace', () => {
  it('names finalizers and what the namespace controller reports', () => {
    const ns: LiveObject = {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'cust-1', finalizers: ['example.com/hold'] },
      spec: { finalizers: ['kubernetes'] },
      status: {
        conditions: [
          {
            type: 'NamespaceContentRemaining',
            status: 'True',
            message: 'Some resources are remaining: widgets.example.com has 1 resource instances',
          },
          {
            type: 'NamespaceDeletionDiscoveryFailure',
            status: 'False',
            message: 'All resources successfully discovered',
          },
        ],
      },
    };
    expect(describeStuckNamespace(ns)).toBe(
      'finalizers example.com/hold, kubernetes; NamespaceContentRemaining: Some resources are remaining: widgets.example.com has 1 resource instances',
    );
  });
});

describe('kubeErrorFromStatus', () => {
  it.each([
    [404, 'x', 'NotFound'],
    [409, 'x', 'Conflict'],
    [422, 'x', 'Invalid'],
    [403, 'pods "a" is forbidden: exceeded quota: plan', 'QuotaExceeded'],
    [403, 'forbidden', 'Forbidden'],
    [503, 'x', 'Unavailable'],
  ])('%d %s → %s', (status, message, code) => {
    expect(kubeErrorFromStatus(status, message).code).toBe(code);
  });
});
