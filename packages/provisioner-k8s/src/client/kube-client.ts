// With client/site-watch.ts (the worker's informers), the only importer of @kubernetes/client-node:
// it reads the kubeconfig (certificates, token), and requests go over one keep-alive https.Agent,
// with a static path table instead of discovery.
import https from 'node:https';
import type { KubeObject } from '@hostplane/domain';
import { FIELD_MANAGER } from '@hostplane/domain';
import { KubeConfig } from '@kubernetes/client-node';
import { z } from 'zod';
import { KubeError, kubeErrorFromStatus } from '../errors.ts';
import { type KindRef, kindRef, resourcePath } from '../kinds.ts';
import type { DeleteOptions, KubeApi, LiveObject } from '../port.ts';

const liveObjectSchema = z.looseObject({
  apiVersion: z.string().optional(),
  kind: z.string().optional(),
  metadata: z.looseObject({ name: z.string() }),
});
const listSchema = z.looseObject({
  items: z.array(z.looseObject({ metadata: z.looseObject({ name: z.string() }) })),
});
const statusSchema = z.looseObject({ message: z.string().optional(), reason: z.string().optional() });
const accessReviewSchema = z.looseObject({ status: z.looseObject({ allowed: z.boolean() }) });
const tokenRequestSchema = z.looseObject({ status: z.looseObject({ token: z.string() }) });

interface RequestOptions {
  query?: Record<string, string>;
  body?: unknown;
  contentType?: string;
}

/** Requests sent, by verb; tests use `writes` to prove a converged pass sends none. */
export interface KubeRequestStats {
  reads: number;
  writes: number;
}

const REQUEST_TIMEOUT_MS = 30_000;
const CREDENTIALS_TTL_MS = 5 * 60_000;

interface Transport {
  agent: https.Agent;
  headers: Record<string, string>;
}

export class KubeHttpClient implements KubeApi {
  readonly stats: KubeRequestStats = { reads: 0, writes: 0 };

  /** Certificates and the auth header, resolved once in a while (client-node's API for it is async). */
  private transport: Promise<Transport>;
  private resolvedAt = Date.now();

  private constructor(
    private readonly server: URL,
    private readonly kc: KubeConfig,
    private readonly skipTLSVerify: boolean,
  ) {
    this.transport = KubeHttpClient.transportOf(kc, skipTLSVerify);
    // Surfaced by the first request; this keeps an early failure from being an unhandled rejection.
    this.transport.catch(() => undefined);
  }

  /** Inside a pod: the service account's token file, which the kubelet rotates (re-read every few minutes). */
  static inCluster(): KubeHttpClient {
    const kc = new KubeConfig();
    kc.loadFromCluster();
    return KubeHttpClient.fromKubeConfig(kc);
  }

  /** From a kubeconfig file (its current context). */
  static fromKubeconfigFile(file: string): KubeHttpClient {
    const kc = new KubeConfig();
    kc.loadFromFile(file);
    return KubeHttpClient.fromKubeConfig(kc);
  }

  /** A bearer token (e.g. a service account's) against the server and CA of a kubeconfig file. */
  static fromToken(kubeconfigFile: string, token: string): KubeHttpClient {
    const base = new KubeConfig();
    base.loadFromFile(kubeconfigFile);
    const cluster = base.getCurrentCluster();
    if (!cluster) throw new Error(`${kubeconfigFile} has no current cluster`);
    const kc = new KubeConfig();
    kc.loadFromClusterAndUser(cluster, { name: 'token', token });
    return KubeHttpClient.fromKubeConfig(kc);
  }

  private static fromKubeConfig(kc: KubeConfig): KubeHttpClient {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('kubeconfig has no current cluster');
    return new KubeHttpClient(new URL(cluster.server), kc, cluster.skipTLSVerify);
  }

  private static async transportOf(kc: KubeConfig, skipTLSVerify: boolean): Promise<Transport> {
    const options: https.RequestOptions = {};
    await kc.applyToHTTPSOptions(options);
    const agent = new https.Agent({
      keepAlive: true,
      maxSockets: 16,
      ca: options.ca,
      cert: options.cert,
      key: options.key,
      ...(skipTLSVerify ? { rejectUnauthorized: false } : {}),
    });
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(options.headers ?? {})) {
      if (typeof value === 'string') headers[name] = value;
    }
    return { agent, headers };
  }

  /** Bound service account tokens expire: resolve credentials again every few minutes. */
  private async currentTransport(): Promise<Transport> {
    if (Date.now() - this.resolvedAt > CREDENTIALS_TTL_MS) {
      const previous = this.transport;
      this.resolvedAt = Date.now();
      this.transport = KubeHttpClient.transportOf(this.kc, this.skipTLSVerify);
      // Requests in flight keep the old agent; it closes its idle sockets once they finish.
      previous
        .then((old) => setTimeout(() => old.agent.destroy(), REQUEST_TIMEOUT_MS).unref())
        .catch(() => undefined);
    }
    return this.transport;
  }

  async close(): Promise<void> {
    (await this.transport).agent.destroy();
  }

  async apply(object: KubeObject): Promise<LiveObject> {
    const kind = kindRef(object.kind);
    const path = resourcePath(kind, object.metadata.namespace ?? null, object.metadata.name);
    // JSON is YAML, so the apply patch can be sent as JSON under the apply content type.
    const body = await this.request('PATCH', path, {
      query: { fieldManager: FIELD_MANAGER, force: 'true' },
      body: object,
      contentType: 'application/apply-patch+yaml',
    });
    return liveObjectSchema.parse(body) as LiveObject;
  }

  /** JSON merge patch under another field manager: how tests edit an object "by hand". */
  async patchMerge(
    kind: KindRef,
    namespace: string | null,
    name: string,
    patch: unknown,
    fieldManager: string,
    /** `status` for kinds with a status subresource (what a controller writes). */
    subresource?: 'status',
  ): Promise<LiveObject> {
    const path = `${resourcePath(kind, namespace, name)}${subresource ? `/${subresource}` : ''}`;
    const body = await this.request('PATCH', path, {
      query: { fieldManager },
      body: patch,
      contentType: 'application/merge-patch+json',
    });
    return liveObjectSchema.parse(body) as LiveObject;
  }

  async get(kind: KindRef, namespace: string | null, name: string): Promise<LiveObject | null> {
    try {
      return liveObjectSchema.parse(
        await this.request('GET', resourcePath(kind, namespace, name)),
      ) as LiveObject;
    } catch (error) {
      if (error instanceof KubeError && error.code === 'NotFound') return null;
      throw error;
    }
  }

  async list(kind: KindRef, namespace: string | null, labelSelector?: string): Promise<LiveObject[]> {
    const query = labelSelector ? { labelSelector } : undefined;
    const body = listSchema.parse(await this.request('GET', resourcePath(kind, namespace), { query }));
    // List items carry no apiVersion/kind; put them back so callers can key by kind.
    return body.items.map(
      (item) => ({ ...item, apiVersion: kind.apiVersion, kind: kind.kind }) as LiveObject,
    );
  }

  async delete(
    kind: KindRef,
    namespace: string | null,
    name: string,
    options: DeleteOptions = {},
  ): Promise<boolean> {
    try {
      await this.request('DELETE', resourcePath(kind, namespace, name), {
        body: {
          apiVersion: 'v1',
          kind: 'DeleteOptions',
          propagationPolicy: options.propagationPolicy ?? 'Background',
        },
      });
      return true;
    } catch (error) {
      if (error instanceof KubeError && error.code === 'NotFound') return false;
      throw error;
    }
  }

  async canI(
    verb: string,
    group: string,
    resource: string,
    namespace: string,
    subresource?: string,
  ): Promise<boolean> {
    const body = await this.request('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
      body: {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SelfSubjectAccessReview',
        spec: {
          resourceAttributes: { verb, group, resource, namespace, ...(subresource ? { subresource } : {}) },
        },
      },
    });
    return accessReviewSchema.parse(body).status.allowed;
  }

  /** TokenRequest API: a short-lived token for a service account (tests run the panel with it). */
  async createServiceAccountToken(
    namespace: string,
    name: string,
    expirationSeconds = 3600,
  ): Promise<string> {
    const path = `${resourcePath(kindRef('ServiceAccount'), namespace, name)}/token`;
    const body = await this.request('POST', path, {
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds } },
    });
    return tokenRequestSchema.parse(body).status.token;
  }

  /** A container's log as text (pods/log; read-only): `tailLines`, `sinceSeconds`, `timestamps`. */
  async podLog(
    namespace: string,
    pod: string,
    query: {
      container?: string;
      tailLines?: number;
      sinceSeconds?: number;
      sinceTime?: string;
      timestamps?: boolean;
    },
  ): Promise<string> {
    const { agent, headers } = await this.currentTransport();
    this.stats.reads++;
    const url = new URL(
      `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/log`,
      this.server,
    );
    for (const [key, value] of Object.entries(query))
      if (value !== undefined) url.searchParams.set(key, String(value));
    return new Promise((resolve, reject) => {
      const req = https.request(
        url,
        { method: 'GET', headers, agent, timeout: REQUEST_TIMEOUT_MS },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) resolve(text);
            else reject(kubeErrorFromStatus(status, `GET ${url.pathname}: ${statusMessage(text, status)}`));
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`timed out after ${REQUEST_TIMEOUT_MS} ms`)));
      req.on('error', (error) =>
        reject(new KubeError('Unavailable', `GET ${url.pathname}: ${error.message}`, 0)),
      );
      req.end();
    });
  }

  /**
   * A container's log as a stream (pods/log with `follow=true`; read-only): the answer's body once
   * the apiserver said 200, open until the container stops or `signal` aborts (no request timeout).
   */
  async podLogStream(
    namespace: string,
    pod: string,
    query: {
      container: string;
      tailLines?: number;
      sinceSeconds?: number;
      sinceTime?: string;
      timestamps?: boolean;
    },
    signal: AbortSignal,
  ): Promise<NodeJS.ReadableStream & { destroy(error?: Error): void }> {
    const { agent, headers } = await this.currentTransport();
    this.stats.reads++;
    const url = new URL(
      `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/log`,
      this.server,
    );
    url.searchParams.set('follow', 'true');
    for (const [key, value] of Object.entries(query))
      if (value !== undefined) url.searchParams.set(key, String(value));
    return new Promise((resolve, reject) => {
      const req = https.request(url, { method: 'GET', headers, agent, signal }, (res) => {
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) return resolve(res);
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () =>
          reject(
            kubeErrorFromStatus(
              status,
              `GET ${url.pathname}: ${statusMessage(Buffer.concat(chunks).toString('utf8'), status)}`,
            ),
          ),
        );
      });
      req.on('error', (error) =>
        reject(new KubeError('Unavailable', `GET ${url.pathname}: ${error.message}`, 0)),
      );
      req.end();
    });
  }

  private async request(method: string, path: string, options: RequestOptions = {}): Promise<unknown> {
    const { agent, headers: authHeaders } = await this.currentTransport();
    if (method === 'GET') this.stats.reads++;
    else if (!path.endsWith('selfsubjectaccessreviews')) this.stats.writes++;
    const url = new URL(path, this.server);
    for (const [key, value] of Object.entries(options.query ?? {})) url.searchParams.set(key, value);
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    const headers: Record<string, string> = { ...authHeaders, Accept: 'application/json' };
    if (payload !== undefined) {
      headers['Content-Type'] = options.contentType ?? 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(payload));
    }
    return new Promise((resolve, reject) => {
      const req = https.request(url, { method, headers, agent, timeout: REQUEST_TIMEOUT_MS }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) {
            try {
              resolve(text === '' ? {} : JSON.parse(text));
            } catch (error) {
              reject(
                new KubeError(
                  'Unavailable',
                  `unparsable answer to ${method} ${path}: ${String(error)}`,
                  status,
                ),
              );
            }
            return;
          }
          reject(kubeErrorFromStatus(status, `${method} ${path}: ${statusMessage(text, status)}`));
        });
      });
      req.on('timeout', () => req.destroy(new Error(`timed out after ${REQUEST_TIMEOUT_MS} ms`)));
      req.on('error', (error) =>
        reject(new KubeError('Unavailable', `${method} ${path}: ${error.message}`, 0)),
      );
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }
}

function statusMessage(text: string, status: number): string {
  try {
    const parsed = statusSchema.safeParse(JSON.parse(text));
    if (parsed.success && parsed.data.message) return parsed.data.message;
  } catch {
    // Not JSON (a proxy's HTML page, say): fall through to the raw text.
  }
  return text.slice(0, 300) || `HTTP ${status}`;
}
