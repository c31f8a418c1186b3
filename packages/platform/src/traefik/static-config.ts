import { stringify } from 'yaml';

// Traefik's static configuration (traefik.yaml), rendered once for both targets: the ConfigMap of
// ingress-system and the local stack's edge. Only the addresses, the ACME CA and the file paths differ.

export interface EntryPoint {
  name: string;
  /** `:8000` in the pod, `127.0.0.1:20080` on the local stack. */
  address: string;
}

export interface TraefikAcmeSettings {
  email: string;
  /** The ACME directory URL (Let's Encrypt in production, Pebble locally). */
  caServer: string;
  /** acme.json path; one file per resolver is derived from it. */
  storage: string;
  /** Resolver for ordinary hosts (HTTP-01 on the web entry point). */
  httpResolver: string;
  /** Wildcard hosts: DNS-01 through RFC 2136 updates to PowerDNS (DESIGN.md §9 "DNS-01"). */
  dns01?: {
    resolver: string;
    /** DNS servers lego asks for the zone's SOA (host:port). */
    resolvers: string[];
    /** Wait until every authoritative server shows the TXT record; off where the servers are not on :53. */
    checkPropagation: boolean;
  };
}

export interface TraefikStaticSettings {
  web: EntryPoint;
  websecure: EntryPoint;
  /** Ping (readiness) and Prometheus metrics; never exposed by the Service. */
  internal: EntryPoint;
  /** Mail entry points: plain TCP, forwarded with a PROXY v2 header (TLS is Postfix's and Dovecot's). */
  tcp: EntryPoint[];
  /** UDP entry points (the DNS entry point); the address gets Traefik's `/udp` suffix. */
  udp?: EntryPoint[];
  ingressClass: string;
  /** `namespace/service` whose address Traefik writes into Ingress status (in the cluster only). */
  publishedService?: string;
  acme: TraefikAcmeSettings;
  logLevel: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  /** Access log file; stdout when absent. */
  accessLogFile?: string;
}

/** `acme.json` → `acme-<resolver>.json`: two resolvers must never share one storage file. */
export function acmeStorageFile(storage: string, resolver: string): string {
  const dot = storage.lastIndexOf('.');
  const [stem, ext] =
    dot > storage.lastIndexOf('/') ? [storage.slice(0, dot), storage.slice(dot)] : [storage, ''];
  return `${stem}-${resolver}${ext}`;
}

function resolvers(acme: TraefikAcmeSettings, webEntrypoint: string) {
  const base = { email: acme.email, caServer: acme.caServer, keyType: 'EC256' };
  const result: Record<string, unknown> = {
    [acme.httpResolver]: {
      acme: {
        ...base,
        storage: acmeStorageFile(acme.storage, acme.httpResolver),
        httpChallenge: { entryPoint: webEntrypoint },
      },
    },
  };
  if (acme.dns01) {
    result[acme.dns01.resolver] = {
      acme: {
        ...base,
        storage: acmeStorageFile(acme.storage, acme.dns01.resolver),
        dnsChallenge: {
          // lego's rfc2136 provider, configured by RFC2136_* variables (traefikDns01Env).
          provider: 'rfc2136',
          resolvers: acme.dns01.resolvers,
          ...(acme.dns01.checkPropagation ? {} : { propagation: { disableChecks: true } }),
        },
      },
    };
  }
  return result;
}

/** The static configuration as a plain value (YAML-serialisable, deterministic). */
export function renderTraefikStaticConfig(s: TraefikStaticSettings): Record<string, unknown> {
  const entryPoints: Record<string, unknown> = {
    [s.web.name]: { address: s.web.address },
    [s.websecure.name]: { address: s.websecure.address, http: { tls: {} } },
    [s.internal.name]: { address: s.internal.address },
  };
  for (const tcp of s.tcp) entryPoints[tcp.name] = { address: tcp.address };
  for (const udp of s.udp ?? []) entryPoints[udp.name] = { address: `${udp.address}/udp` };
  return {
    global: { checkNewVersion: false, sendAnonymousUsage: false },
    log: { level: s.logLevel, format: 'json' },
    accessLog: {
      format: 'json',
      ...(s.accessLogFile ? { filePath: s.accessLogFile } : {}),
      // Keep the client and request headers that matter for abuse handling; drop cookies and auth.
      fields: {
        defaultMode: 'keep',
        headers: {
          defaultMode: 'drop',
          names: { 'User-Agent': 'keep', Referer: 'keep', 'X-Forwarded-For': 'keep' },
        },
      },
    },
    entryPoints,
    ping: { entryPoint: s.internal.name },
    metrics: { prometheus: { entryPoint: s.internal.name, addRoutersLabels: true } },
    api: { dashboard: false },
    providers: {
      kubernetesIngress: {
        ingressClass: s.ingressClass,
        // Suspended sites point at an ExternalName Service (packages/provisioner-k8s README).
        allowExternalNameServices: true,
        // A site whose pods are all unready keeps its router: visitors get 503 Service Unavailable,
        // not 404 Not Found as for a host nobody serves (Traefik drops such routers by default).
        allowEmptyServices: true,
        ...(s.publishedService ? { ingressEndpoint: { publishedService: s.publishedService } } : {}),
      },
      // No ingressClass here: it would ignore every CRD object without the class annotation
      // (the mail routes, the tenants' redirect Middlewares).
      kubernetesCRD: {
        allowCrossNamespace: false,
        allowExternalNameServices: true,
        allowEmptyServices: true,
      },
    },
    certificatesResolvers: resolvers(s.acme, s.web.name),
  };
}

/** traefik.yaml text (deterministic). */
export function renderTraefikYaml(s: TraefikStaticSettings): string {
  return `# Rendered by @hostplane/platform (traefik/static-config.ts)\n${stringify(renderTraefikStaticConfig(s), { lineWidth: 0 })}`;
}

export interface Dns01Credentials {
  /** PowerDNS's DNS address for updates (host:port). */
  nameserver: string;
  tsigKeyName: string;
  tsigAlgorithm: string;
}

/** lego's rfc2136 settings; the TSIG secret comes separately (a Secret in the cluster). */
export function traefikDns01Env(c: Dns01Credentials): Record<string, string> {
  return {
    RFC2136_NAMESERVER: c.nameserver,
    RFC2136_TSIG_KEY: c.tsigKeyName,
    RFC2136_TSIG_ALGORITHM: c.tsigAlgorithm.endsWith('.') ? c.tsigAlgorithm : `${c.tsigAlgorithm}.`,
    RFC2136_PROPAGATION_TIMEOUT: '120',
    RFC2136_POLLING_INTERVAL: '2',
    RFC2136_TTL: '60',
  };
}
