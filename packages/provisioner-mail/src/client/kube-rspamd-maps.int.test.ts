import { beforeAll, describe, expect, it } from 'vitest';
import { coreApi, ensureMailNamespace, runTag } from '../test-support/stack.ts';
import { KubeRspamdMaps, RSPAMD_MAPS_CONFIGMAP } from './kube-rspamd-maps.ts';
import { MAIL_NAMESPACE } from './kube-secrets-client.ts';

// The cluster's Rspamd maps on the local kube-apiserver: customers share one ConfigMap and each write
// replaces only the writer's own lines, also when writers race.

const api = coreApi();
const maps = new KubeRspamdMaps(api);
const a = `${runTag}-ma.example`;
const b = `${runTag}-mb.example`;

beforeAll(() => ensureMailNamespace(api));

describe('KubeRspamdMaps', () => {
  it('keeps every customer its own lines, through concurrent writes', async () => {
    await Promise.all([
      maps.writeIdentities(
        [a],
        [
          { key: `domain:${a}`, value: '1' },
          { key: `login:x@${a}`, value: '1' },
        ],
      ),
      maps.writeIdentities([b], [{ key: `domain:${b}`, value: '2' }]),
      maps.writeSendLimits([a], [{ address: `x@${a}`, perHour: 5 }]),
    ]);
    expect(await maps.readIdentities([a])).toEqual([
      { key: `domain:${a}`, value: '1' },
      { key: `login:x@${a}`, value: '1' },
    ]);
    expect(await maps.readIdentities([b])).toEqual([{ key: `domain:${b}`, value: '2' }]);
    expect(await maps.readSendLimits([a])).toEqual([{ address: `x@${a}`, perHour: 5 }]);
    await maps.writeIdentities([a], []);
    expect(await maps.readIdentities([a])).toEqual([]);
    expect(await maps.readIdentities([b])).toHaveLength(1);
    await maps.writeIdentities([b], []);
    await maps.writeSendLimits([a], []);
    const stored = await api.readNamespacedConfigMap({
      name: RSPAMD_MAPS_CONFIGMAP,
      namespace: MAIL_NAMESPACE,
    });
    expect(stored.data?.['identities.map'] ?? '').not.toContain(runTag);
  });
});
