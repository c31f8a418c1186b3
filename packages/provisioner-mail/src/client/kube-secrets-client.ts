// The only importer of @kubernetes/client-node in the mail room: DKIM signing keys as one Secret per
// domain in mail-system (DESIGN.md §3), written by server-side apply under the `hostplane` manager.
import { createHash } from 'node:crypto';
import type { DkimSigningKey } from '@hostplane/domain';
import {
  ApiException,
  CoreV1Api,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { z } from 'zod';
import { MailProviderError, MailUnavailableError } from '../errors.ts';
import type { DkimKeyStore } from '../port.ts';

export const MAIL_NAMESPACE = 'mail-system';
export const FIELD_MANAGER = 'hostplane';
const MANAGED_BY = 'app.kubernetes.io/managed-by';
const DOMAIN_LABEL = 'hostplane.io/dkim-domain';
const CUSTOMER_LABEL = 'hostplane.io/customer-id';

/**
 * `dkim-example-com-<16 hex>`: readable, and one name per domain — the suffix is the domain's SHA-256, so
 * `a.b-c.com` and `a-b.c.com` (both `a-b-c-com` with dots as dashes) no longer share a Secret. Fits the
 * 253 characters of a DNS-1123 subdomain whatever the domain's length.
 */
export function dkimSecretName(domain: string): string {
  const name = domain.toLowerCase();
  const readable = name.replaceAll('.', '-').slice(0, 200).replace(/-+$/, '');
  const digest = createHash('sha256').update(name).digest('hex').slice(0, 16);
  return `dkim-${readable}-${digest}`;
}

const secretSchema = z.looseObject({
  metadata: z.looseObject({ name: z.string(), labels: z.record(z.string(), z.string()).optional() }),
  data: z.record(z.string(), z.string()).optional(),
});

const encode = (value: string) => Buffer.from(value, 'utf8').toString('base64');
const decode = (value: string | undefined) => Buffer.from(value ?? '', 'base64').toString('utf8');

function kubeError(operation: string, err: unknown): MailProviderError {
  const code = err instanceof ApiException ? err.code : undefined;
  const message = `DKIM Secrets: ${operation} failed${code ? ` (HTTP ${code})` : ''}: ${err instanceof Error ? err.message.slice(0, 300) : String(err)}`;
  if (code === undefined || code >= 500 || code === 429) {
    return new MailUnavailableError(message, { cause: err, reason: 'KubernetesUnavailable' });
  }
  if (code === 403) return new MailProviderError('Forbidden', message, { cause: err });
  if (code === 404) return new MailProviderError('NotFound', message, { cause: err });
  return new MailProviderError('Invalid', message, { cause: err });
}

export interface KubeDkimSecretsOptions {
  kubeconfigFile?: string;
  namespace?: string;
}

export class KubeDkimSecrets implements DkimKeyStore {
  readonly stats = { reads: 0, writes: 0 };
  private readonly api: CoreV1Api;
  readonly namespace: string;

  constructor(api: CoreV1Api, namespace = MAIL_NAMESPACE) {
    this.api = api;
    this.namespace = namespace;
  }

  /** From a kubeconfig file, or the pod's service account when none is given. */
  static fromConfig(options: KubeDkimSecretsOptions = {}): KubeDkimSecrets {
    const kc = new KubeConfig();
    if (options.kubeconfigFile) kc.loadFromFile(options.kubeconfigFile);
    else kc.loadFromCluster();
    return new KubeDkimSecrets(kc.makeApiClient(CoreV1Api), options.namespace);
  }

  async read(customerId: number, domains: readonly string[]): Promise<DkimSigningKey[]> {
    this.stats.reads += 1;
    let items: unknown[];
    try {
      const selector = `${MANAGED_BY}=hostplane,${CUSTOMER_LABEL}=${customerId}`;
      items = (await this.api.listNamespacedSecret({ namespace: this.namespace, labelSelector: selector }))
        .items;
    } catch (err) {
      throw kubeError('list', err);
    }
    // Ownership is the customer label; `domains` is not needed to find this customer's Secrets.
    void domains;
    const byDomain = new Map<string, DkimSigningKey>();
    for (const secret of items.map((item) => secretSchema.parse(item))) {
      const domain = secret.metadata.labels?.[DOMAIN_LABEL] ?? '';
      if (domain === '') continue;
      // A Secret under an older name (before names were made unique) reads as no key, so the pass writes
      // the key under its name now; write() then prunes the old one.
      const current = secret.metadata.name === dkimSecretName(domain);
      const key = {
        domain,
        selector: decode(secret.data?.selector),
        privateKeyPem: current ? decode(secret.data?.['private.key']) : '',
      };
      if (current || !byDomain.has(domain)) byDomain.set(domain, key);
    }
    return [...byDomain.values()].sort((a, b) => a.domain.localeCompare(b.domain));
  }

  /** Deletes this customer's Secrets of `domain` other than `keep` (names of older releases). */
  private async prune(customerId: number, domain: string, keep: string | null): Promise<void> {
    let items: unknown[];
    try {
      const selector = `${MANAGED_BY}=hostplane,${CUSTOMER_LABEL}=${customerId},${DOMAIN_LABEL}=${domain}`;
      items = (await this.api.listNamespacedSecret({ namespace: this.namespace, labelSelector: selector }))
        .items;
    } catch (err) {
      throw kubeError('list', err);
    }
    for (const secret of items.map((item) => secretSchema.parse(item))) {
      const name = secret.metadata.name;
      if (name === keep) continue;
      this.stats.writes += 1;
      try {
        await this.api.deleteNamespacedSecret({ name, namespace: this.namespace });
      } catch (err) {
        if (!(err instanceof ApiException && err.code === 404)) throw kubeError(`delete ${name}`, err);
      }
    }
  }

  async write(customerId: number, key: DkimSigningKey): Promise<void> {
    const body = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: dkimSecretName(key.domain),
        namespace: this.namespace,
        labels: {
          [MANAGED_BY]: 'hostplane',
          [DOMAIN_LABEL]: key.domain,
          [CUSTOMER_LABEL]: String(customerId),
        },
      },
      type: 'Opaque',
      // `data`, not `stringData`: server-side apply tracks the fields it is sent, and the API server
      // turns stringData into data, which would look like another manager's field.
      data: { selector: encode(key.selector), 'private.key': encode(key.privateKeyPem) },
    };
    this.stats.writes += 1;
    try {
      await this.api.patchNamespacedSecret(
        {
          name: body.metadata.name,
          namespace: this.namespace,
          body,
          fieldManager: FIELD_MANAGER,
          force: true,
        },
        setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
      );
    } catch (err) {
      throw kubeError(`apply ${body.metadata.name}`, err);
    }
    await this.prune(customerId, key.domain, body.metadata.name);
  }

  async remove(customerId: number, domain: string): Promise<void> {
    // Only Secrets carrying this customer's label: never one another customer (or a person) owns.
    await this.prune(customerId, domain, null);
  }
}
