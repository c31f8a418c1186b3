// biome-ignore-all lint/suspicious/noExplicitAny: these assertions read nested fields of plain manifest JSON
import { describe, expect, it } from 'vitest';
import type { PlanLimits } from '../snapshot.ts';
import { desiredTenantObjects } from './desired.ts';
import { snapshot, testConfig } from './fixtures.ts';
import { limitRange, quotaHard } from './guardrails.ts';
import { internetBlocks, internetPorts, portsExcept } from './network-policies.ts';

function withPlan(limits: Partial<PlanLimits>) {
  const base = snapshot();
  return snapshot({ plan: { ...base.plan, limits: { ...base.plan.limits, ...limits } } });
}

describe('quotaHard', () => {
  it.each([
    {
      plan: { cpu: '2', memory: '4Gi', storage: '20Gi', sites: 5, databases: 2 },
      want: { pods: '22', persistentvolumeclaims: '7', services: '8', secrets: '4', configmaps: '7' },
    },
    {
      plan: { cpu: '500m', memory: '512Mi', storage: '5Gi', sites: 1, databases: 0 },
      want: { pods: '4', persistentvolumeclaims: '1', services: '2', secrets: '2', configmaps: '3' },
    },
  ])('follows plan $plan.sites sites / $plan.databases databases', ({ plan, want }) => {
    expect(quotaHard(withPlan(plan), testConfig)).toEqual({
      ...want,
      'requests.cpu': plan.cpu,
      'limits.cpu': plan.cpu,
      'requests.memory': plan.memory,
      'limits.memory': plan.memory,
      'requests.storage': plan.storage,
      'services.loadbalancers': '0',
      'services.nodeports': '0',
    });
  });
});

describe('limitRange', () => {
  it.each([
    { cpu: '4', memory: '8Gi', max: { cpu: '2', memory: '4Gi' }, dflt: { cpu: '500m', memory: '256Mi' } },
    {
      cpu: '250m',
      memory: '128Mi',
      max: { cpu: '250m', memory: '128Mi' },
      dflt: { cpu: '250m', memory: '128Mi' },
    },
  ])('clamps to the platform maximum and the plan ($cpu, $memory)', ({ cpu, memory, max, dflt }) => {
    const spec = limitRange(withPlan({ cpu, memory, storage: '10Gi' }), testConfig).spec as {
      limits: Record<string, unknown>[];
    };
    expect(spec.limits).toEqual([
      { type: 'Container', default: dflt, defaultRequest: { cpu: '50m', memory: '64Mi' }, max },
      { type: 'PersistentVolumeClaim', min: { storage: '100Mi' }, max: { storage: '10Gi' } },
    ]);
  });

  it('caps every container of a tiny plan at the plan', () => {
    const objects = desiredTenantObjects(withPlan({ cpu: '100m', memory: '64Mi' }), testConfig);
    const limits = objects
      .filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet')
      .flatMap((o) => ((o.spec as any).template.spec.containers as any[]).map((c) => c.resources.limits));
    for (const limit of limits) expect(limit).toEqual({ cpu: '100m', memory: '64Mi' });
  });
});

describe('network policies', () => {
  const objects = desiredTenantObjects(snapshot(), testConfig).filter((o) => o.kind === 'NetworkPolicy');

  it('deny by default, then open narrowly', () => {
    expect(objects.map((o) => o.metadata.name)).toEqual([
      'allow-dns',
      'allow-from-ingress',
      'allow-from-monitoring',
      'allow-internet',
      'allow-mail-submission',
      'allow-same-namespace',
      'default-deny',
    ]);
    const deny = objects.find((o) => o.metadata.name === 'default-deny');
    expect(deny?.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
  });

  it('lets only ingress-system reach web pods and monitoring only on metrics ports', () => {
    const ingress = objects.find((o) => o.metadata.name === 'allow-from-ingress')?.spec as any;
    expect(ingress.podSelector).toEqual({ matchLabels: { 'hostplane.io/component': 'web' } });
    expect(ingress.ingress[0].from).toEqual([
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-system' } } },
    ]);
    // Only the web container's named port: not php-fpm, not anything else the pod listens on.
    expect(ingress.ingress[0].ports).toEqual([{ port: 'http', protocol: 'TCP' }]);
    const monitoring = objects.find((o) => o.metadata.name === 'allow-from-monitoring')?.spec as any;
    expect(monitoring.ingress[0].ports).toEqual([
      { port: 9104, protocol: 'TCP' },
      { port: 9113, protocol: 'TCP' },
    ]);
  });

  it('opens mail submission and DNS only', () => {
    const mail = objects.find((o) => o.metadata.name === 'allow-mail-submission')?.spec as any;
    expect(mail.egress[0].ports).toEqual([{ port: 587, protocol: 'TCP' }]);
    const dns = objects.find((o) => o.metadata.name === 'allow-dns')?.spec as any;
    expect(dns.egress[0].to[0].podSelector).toEqual({ matchLabels: { 'k8s-app': 'kube-dns' } });
  });

  it('reaches the internet but none of the private ranges, whatever the config says', () => {
    expect(internetBlocks(testConfig)).toEqual([
      {
        ipBlock: {
          cidr: '0.0.0.0/0',
          except: [
            '10.0.0.0/8',
            '10.42.0.0/16',
            '10.43.0.0/16',
            '100.64.0.0/10',
            '169.254.0.0/16',
            '172.16.0.0/12',
            '192.168.0.0/16',
          ],
        },
      },
      { ipBlock: { cidr: '::/0', except: ['fc00::/7', 'fe80::/10'] } },
    ]);
  });

  it.each([
    [
      'TCP',
      [25, 53],
      [
        [1, 24],
        [26, 52],
        [54, 65535],
      ],
    ],
    [
      'UDP',
      [53],
      [
        [1, 52],
        [54, 65535],
      ],
    ],
    ['TCP', [1, 65535], [[2, 65534]]],
    ['TCP', [], [[1, 65535]]],
  ] as const)('%s without %j', (protocol, closed, ranges) => {
    expect(portsExcept(protocol, closed)).toEqual(
      ranges.map(([port, endPort]) => ({ port, endPort, protocol })),
    );
  });

  it('closes DNS toward the internet, and port 25 unless the plan opens it', () => {
    const internet = objects.find((o) => o.metadata.name === 'allow-internet')?.spec as any;
    expect(internet.egress[0].ports).toEqual(internetPorts(false));
    expect(internetPorts(false)).toEqual([
      { port: 1, endPort: 24, protocol: 'TCP' },
      { port: 26, endPort: 52, protocol: 'TCP' },
      { port: 54, endPort: 65535, protocol: 'TCP' },
      { port: 1, endPort: 52, protocol: 'UDP' },
      { port: 54, endPort: 65535, protocol: 'UDP' },
    ]);
    const base = snapshot();
    const open = desiredTenantObjects(
      { ...base, plan: { ...base.plan, limits: { ...base.plan.limits, outboundSmtp: true } } },
      testConfig,
    ).find((o) => o.metadata.name === 'allow-internet')?.spec as any;
    expect(open.egress[0].ports).toEqual([
      { port: 1, endPort: 52, protocol: 'TCP' },
      { port: 54, endPort: 65535, protocol: 'TCP' },
      { port: 1, endPort: 52, protocol: 'UDP' },
      { port: 54, endPort: 65535, protocol: 'UDP' },
    ]);
  });
});
