import { describe, expect, it } from 'vitest';
import { renderBootstrap } from './index.ts';
import { pinTestConfig } from './pin-test-config.ts';

// biome-ignore lint/suspicious/noExplicitAny: tests read deep manifest fields without retyping each kind
type Manifest = Record<string, any>;
const steps = renderBootstrap(pinTestConfig);
const all = steps.flatMap((s) => s.objects) as Manifest[];
const policy = (ns: string, name: string): Manifest => {
  const found = all.find(
    (o) => o.kind === 'NetworkPolicy' && o.metadata.namespace === ns && o.metadata.name === name,
  );
  if (!found) throw new Error(`no NetworkPolicy ${ns}/${name}`);
  return found.spec;
};
const panelPeer = {
  namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'panel-system' } },
  podSelector: {
    matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'In', values: ['panel', 'panel-worker'] }],
  },
};
const backupPeer = {
  namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'backup-system' } },
  podSelector: { matchLabels: { 'app.kubernetes.io/name': 'platform-backup' } },
};

describe('system namespace network policies', () => {
  it('select pods the renderer labels, in the namespace of their step', () => {
    for (const step of steps) {
      const pods = step.objects
        .filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet')
        .map((o) => (o.spec as Manifest).template.metadata.labels['app.kubernetes.io/name']);
      for (const p of step.objects.filter((o) => o.kind === 'NetworkPolicy') as Manifest[]) {
        expect(p.metadata.namespace).toBe(step.namespace);
        const app = p.spec.podSelector.matchLabels['app.kubernetes.io/name'];
        expect(pods, `${p.metadata.name} selects ${app}`).toContain(app);
      }
    }
  });

  it('PowerDNS API only from the panel; DNS itself open', () => {
    expect(policy('dns-system', 'pdns-api-from-panel')).toEqual({
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'pdns' } },
      policyTypes: ['Ingress'],
      ingress: [
        { from: [panelPeer], ports: [{ protocol: 'TCP', port: 8081 }] },
        {
          ports: [
            { protocol: 'TCP', port: 1053 },
            { protocol: 'UDP', port: 1053 },
          ],
        },
      ],
    });
    expect(policy('dns-system', 'pdns-db-from-pdns').ingress[0].from).toEqual([
      {
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'dns-system' } },
        podSelector: { matchLabels: { 'app.kubernetes.io/name': 'pdns' } },
      },
      backupPeer,
    ]);
  });

  it('mail DB only from mail-system and the panel; panel DB only from the panel', () => {
    expect(policy('mail-system', 'mail-db-from-mail-and-panel').ingress).toEqual([
      {
        from: [
          {
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'mail-system' } },
            podSelector: {},
          },
          panelPeer,
          backupPeer,
        ],
        ports: [{ protocol: 'TCP', port: 3306 }],
      },
    ]);
    expect(policy('panel-system', 'panel-db-from-panel').ingress).toEqual([
      { from: [panelPeer, backupPeer], ports: [{ protocol: 'TCP', port: 5432 }] },
    ]);
    const api = policy('panel-system', 'panel-from-edge');
    expect(api.ingress.map((r: Manifest) => r.ports)).toEqual([
      [{ protocol: 'TCP', port: 8080 }],
      [{ protocol: 'TCP', port: 9090 }],
    ]);
  });
});
