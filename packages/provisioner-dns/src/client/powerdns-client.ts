import type { z } from 'zod';
import {
  ConflictError,
  type DnsProviderError,
  ForbiddenError,
  InvalidError,
  NotFoundError,
  UnavailableError,
} from '../errors.ts';
import type { DnsLogger } from '../logger.ts';
import {
  type PdnsCryptokey,
  type PdnsCryptokeyImport,
  type PdnsCryptokeyWithPrivate,
  type PdnsRrsetChange,
  type PdnsZone,
  type PdnsZoneCreate,
  type PdnsZoneListing,
  type PdnsZoneUpdate,
  pdnsCryptokeySchema,
  pdnsCryptokeyWithPrivateSchema,
  pdnsErrorSchema,
  pdnsZoneListingSchema,
  pdnsZoneSchema,
} from './powerdns-schemas.ts';

// The only place that speaks HTTP to PowerDNS. Node 20's fetch; answers parsed with zod; the API
// key travels in X-API-Key and is never logged nor put into an error message.

export interface PowerDnsClientOptions {
  /** e.g. http://127.0.0.1:28081 (with or without /api/v1). */
  apiUrl: string;
  apiKey: string;
  serverId?: string;
  timeoutMs?: number;
  logger?: DnsLogger;
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Requests sent by this client, by method: tests and benchmarks read it to prove "no PATCH". */
export type RequestCounts = Record<Method | 'total', number>;

function zoneId(name: string): string {
  // Our zone names are LDH labels only; PowerDNS ids are the absolute name.
  return encodeURIComponent(`${name}.`);
}

function describeFetchError(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') return 'timed out';
  const cause =
    error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}

export function errorForStatus(status: number, what: string, detail: string): DnsProviderError {
  const message = `PowerDNS ${what}: ${status}${detail ? ` ${detail}` : ''}`;
  if (status === 404) return new NotFoundError(message, status);
  if (status === 409) return new ConflictError(message, status);
  if (status === 401 || status === 403) return new ForbiddenError(message, status);
  if (status >= 500 || status === 429) return new UnavailableError(message, { status });
  return new InvalidError(message, status);
}

export class PowerDnsClient {
  readonly counts: RequestCounts = { GET: 0, POST: 0, PUT: 0, PATCH: 0, DELETE: 0, total: 0 };
  private readonly base: string;
  private readonly apiKey: string;
  private readonly timeoutMs: number;
  private readonly logger: DnsLogger | undefined;

  constructor(options: PowerDnsClientOptions) {
    const root = options.apiUrl.replace(/\/+$/, '').replace(/\/api\/v1$/, '');
    this.base = `${root}/api/v1/servers/${encodeURIComponent(options.serverId ?? 'localhost')}`;
    this.apiKey = options.apiKey;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.logger = options.logger;
  }

  resetCounts(): void {
    for (const key of Object.keys(this.counts) as (keyof RequestCounts)[]) this.counts[key] = 0;
  }

  /** Every zone on the server, without DNSSEC status (which costs PowerDNS a key lookup per zone). */
  async listZones(signal?: AbortSignal): Promise<PdnsZoneListing[]> {
    return this.request('GET', '/zones?dnssec=false', { schema: pdnsZoneListingSchema.array(), signal });
  }

  /** The zone with its rrsets; NotFoundError when PowerDNS does not have it. */
  async getZone(name: string, signal?: AbortSignal): Promise<PdnsZone> {
    return this.request('GET', `/zones/${zoneId(name)}`, { schema: pdnsZoneSchema, signal });
  }

  /**
   * Creates the zone; PowerDNS answers 201 with the zone as created (rrsets included), returned so a
   * caller can verify without reading it again (null when the answer does not carry it).
   */
  async createZone(zone: PdnsZoneCreate, signal?: AbortSignal): Promise<PdnsZone | null> {
    return this.request('POST', '/zones', {
      body: { ...zone, name: `${zone.name}.` },
      schema: pdnsZoneSchema.nullable().catch(null),
      signal,
    });
  }

  /** One PATCH holding every changed rrset of the zone; PowerDNS applies it in one transaction. */
  async patchRrsets(name: string, rrsets: PdnsRrsetChange[], signal?: AbortSignal): Promise<void> {
    await this.request('PATCH', `/zones/${zoneId(name)}`, { body: { rrsets }, signal });
  }

  async updateZone(name: string, update: PdnsZoneUpdate, signal?: AbortSignal): Promise<void> {
    await this.request('PUT', `/zones/${zoneId(name)}`, { body: update, signal });
  }

  async deleteZone(name: string, signal?: AbortSignal): Promise<void> {
    await this.request('DELETE', `/zones/${zoneId(name)}`, { signal });
  }

  async listCryptokeys(name: string, signal?: AbortSignal): Promise<PdnsCryptokey[]> {
    return this.request('GET', `/zones/${zoneId(name)}/cryptokeys`, {
      schema: pdnsCryptokeySchema.array(),
      signal,
    });
  }

  /** One key with its private part (ISC format): what a customer backup copies of a signed zone. */
  async getCryptokey(name: string, id: number, signal?: AbortSignal): Promise<PdnsCryptokeyWithPrivate> {
    return this.request('GET', `/zones/${zoneId(name)}/cryptokeys/${id}`, {
      schema: pdnsCryptokeyWithPrivateSchema,
      signal,
    });
  }

  /** Imports a key (a restore puts a backup's keys back, so the DS at the registrar still matches). */
  async importCryptokey(name: string, key: PdnsCryptokeyImport, signal?: AbortSignal): Promise<void> {
    await this.request('POST', `/zones/${zoneId(name)}/cryptokeys`, { body: key, signal });
  }

  async deleteCryptokey(name: string, id: number, signal?: AbortSignal): Promise<void> {
    await this.request('DELETE', `/zones/${zoneId(name)}/cryptokeys/${id}`, { signal });
  }

  async rectifyZone(name: string, signal?: AbortSignal): Promise<void> {
    await this.request('PUT', `/zones/${zoneId(name)}/rectify`, { signal });
  }

  /** Drops the zone from PowerDNS's packet and query caches so answers change at once. */
  async flushCache(name: string, signal?: AbortSignal): Promise<void> {
    await this.request('PUT', `/cache/flush?domain=${zoneId(name)}`, { signal });
  }

  private async request<T = void>(
    method: Method,
    path: string,
    opts: { schema?: z.ZodType<T>; body?: unknown; signal?: AbortSignal | undefined } = {},
  ): Promise<T> {
    this.counts[method]++;
    this.counts.total++;
    const what = `${method} ${path}`;
    const started = performance.now();
    const timeout = AbortSignal.timeout(this.timeoutMs);
    let response: Response;
    try {
      response = await fetch(`${this.base}${path}`, {
        method,
        headers: { 'X-API-Key': this.apiKey, Accept: 'application/json', 'Content-Type': 'application/json' },
        ...(opts.body === undefined ? {} : { body: JSON.stringify(opts.body) }),
        signal: opts.signal ? AbortSignal.any([timeout, opts.signal]) : timeout,
      });
    } catch (error) {
      this.logger?.warn({ method, path, error: describeFetchError(error) }, 'PowerDNS unreachable');
      throw new UnavailableError(`PowerDNS ${what}: ${describeFetchError(error)}`, { cause: error });
    }
    const text = await response.text().catch(() => '');
    const ms = Math.round(performance.now() - started);
    this.logger?.debug({ method, path, status: response.status, ms }, 'PowerDNS request');
    if (!response.ok) throw errorForStatus(response.status, what, vendorMessage(text));
    if (!opts.schema) return undefined as T;
    const parsed = opts.schema.safeParse(safeJson(text));
    if (!parsed.success)
      throw new InvalidError(`PowerDNS ${what}: unexpected answer (${parsed.error.message})`);
    return parsed.data;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function vendorMessage(text: string): string {
  const parsed = pdnsErrorSchema.safeParse(safeJson(text));
  return parsed.success ? parsed.data.error : text.slice(0, 200);
}
