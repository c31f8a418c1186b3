// The cluster's RspamdMaps: one ConfigMap `rspamd-maps` in mail-system holding `send_limits.map` and
// `identities.map`, mounted whole (no subPath) into the Rspamd pod, so the kubelet refreshes the files
// and Rspamd re-reads them. Shared by every customer: a write replaces the lines of the caller's domains
// only, guarded by resourceVersion (a concurrent writer's 409 makes us read again).

import {
  type IdentityEntry,
  renderIdentityMap,
  renderSendLimitsMap,
  type SendLimitEntry,
} from '@hostplane/platform';
import { ApiException, CoreV1Api, KubeConfig, type V1ConfigMap } from '@kubernetes/client-node';
import { MailUnavailableError } from '../errors.ts';
import { identityKeyDomain } from '../identity.ts';
import type { RspamdMaps } from '../port.ts';
import { MAIL_NAMESPACE } from './kube-secrets-client.ts';

export const RSPAMD_MAPS_CONFIGMAP = 'rspamd-maps';
export const SEND_LIMITS_FILE = 'send_limits.map';
export const IDENTITIES_FILE = 'identities.map';
const ATTEMPTS = 5;

type Line = [key: string, value: string];
const domainOfAddress = (address: string) => address.slice(address.lastIndexOf('@') + 1);

function parse(text: string | undefined): Line[] {
  return (text ?? '')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => line.split(/\s+/) as Line);
}

export class KubeRspamdMaps implements RspamdMaps {
  readonly stats = { reads: 0, writes: 0 };

  constructor(
    private readonly api: CoreV1Api,
    private readonly namespace = MAIL_NAMESPACE,
  ) {}

  static fromConfig(options: { kubeconfigFile?: string | undefined } = {}): KubeRspamdMaps {
    const kc = new KubeConfig();
    if (options.kubeconfigFile) kc.loadFromFile(options.kubeconfigFile);
    else kc.loadFromCluster();
    return new KubeRspamdMaps(kc.makeApiClient(CoreV1Api));
  }

  private async get(): Promise<V1ConfigMap | null> {
    this.stats.reads += 1;
    try {
      return await this.api.readNamespacedConfigMap({
        name: RSPAMD_MAPS_CONFIGMAP,
        namespace: this.namespace,
      });
    } catch (err) {
      if (err instanceof ApiException && err.code === 404) return null;
      throw new MailUnavailableError(`Rspamd maps: read failed: ${(err as Error).message}`, {
        cause: err,
        reason: 'KubernetesUnavailable',
      });
    }
  }

  /** Read-modify-write of one file of the ConfigMap, retried on a concurrent change. */
  private async update(file: string, change: (lines: Line[]) => string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.get();
      const data = { ...(current?.data ?? {}), [file]: change(parse(current?.data?.[file])) };
      const body: V1ConfigMap = {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: {
          name: RSPAMD_MAPS_CONFIGMAP,
          namespace: this.namespace,
          labels: { 'app.kubernetes.io/managed-by': 'hostplane', 'app.kubernetes.io/name': 'rspamd' },
          ...(current?.metadata?.resourceVersion
            ? { resourceVersion: current.metadata.resourceVersion }
            : {}),
        },
        data,
      };
      this.stats.writes += 1;
      try {
        if (current) {
          await this.api.replaceNamespacedConfigMap({
            name: RSPAMD_MAPS_CONFIGMAP,
            namespace: this.namespace,
            body,
          });
        } else {
          await this.api.createNamespacedConfigMap({ namespace: this.namespace, body });
        }
        return;
      } catch (err) {
        const conflict = err instanceof ApiException && err.code === 409;
        if (conflict && attempt < ATTEMPTS) continue;
        throw new MailUnavailableError(`Rspamd maps: write of ${file} failed: ${(err as Error).message}`, {
          cause: err,
          reason: 'KubernetesUnavailable',
        });
      }
    }
  }

  async readSendLimits(domains: readonly string[]): Promise<SendLimitEntry[]> {
    const mine = new Set(domains);
    return parse((await this.get())?.data?.[SEND_LIMITS_FILE])
      .filter(([address]) => mine.has(domainOfAddress(address)))
      .map(([address, perHour]) => ({ address, perHour: Number(perHour) }))
      .sort((a, b) => a.address.localeCompare(b.address));
  }

  writeSendLimits(domains: readonly string[], entries: SendLimitEntry[]): Promise<void> {
    const mine = new Set(domains);
    return this.update(SEND_LIMITS_FILE, (lines) =>
      renderSendLimitsMap([
        ...lines
          .filter(([address]) => !mine.has(domainOfAddress(address)))
          .map(([address, perHour]) => ({ address, perHour: Number(perHour) })),
        ...entries,
      ]),
    );
  }

  async readIdentities(domains: readonly string[]): Promise<IdentityEntry[]> {
    const mine = new Set(domains);
    return parse((await this.get())?.data?.[IDENTITIES_FILE])
      .filter(([key]) => mine.has(identityKeyDomain(key)))
      .map(([key, value]) => ({ key, value }))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  writeIdentities(domains: readonly string[], entries: IdentityEntry[]): Promise<void> {
    const mine = new Set(domains);
    return this.update(IDENTITIES_FILE, (lines) =>
      renderIdentityMap([
        ...lines.filter(([key]) => !mine.has(identityKeyDomain(key))).map(([key, value]) => ({ key, value })),
        ...entries,
      ]),
    );
  }
}
