// Loopback ports of the local stack. All are high and away from the standard ones so a
// developer's own PostgreSQL, MySQL, DNS or mail server never collides with the stack.
export const STACK_HOST = '127.0.0.1';

/**
 * The local internet (DESIGN.md §9): a resolver follows delegations to port 53 only, so the
 * platform's authoritative DNS and the TLD registry each also answer on port 53 of their own
 * loopback address (all of 127.0.0.0/8 is on `lo`). Binding port 53 needs root.
 */
export const PLATFORM_DNS_HOST = '127.0.53.1';
export const REGISTRY_DNS_HOST = '127.0.53.2';
export const STANDARD_DNS_PORT = 53;

export const stackPorts = {
  etcdClient: 23790,
  etcdPeer: 23800,
  kubeApiserver: 16443,
  kubeControllerManager: 20257,
  kubeScheduler: 20259,
  kwokMetrics: 20263,
  // the real node (node profile `real`): kubelet API on the node IP, health and metrics on loopback
  kubelet: 20250,
  kubeletHealthz: 20248,
  kubeProxyHealthz: 20256,
  kubeProxyMetrics: 20249,
  // cluster DNS (CoreDNS, a host-network static pod of the real node): health and readiness on loopback
  corednsHealth: 20381,
  corednsReady: 20382,
  /** The node's NetworkPolicy controller (`localcluster netpol`): /healthz and /status. */
  netpolHealthz: 20266,
  localPathProvisioner: 20264,
  postgres: 25432,
  mariadb: 23306,
  pdnsDns: 20053,
  pdnsApi: 28081,
  registryDns: 20153,
  registryApi: 28082,
  resolver: 20054,
  smtp: 20025,
  submission: 20587,
  /** Tenant sites' submission (no PROXY header; SASL required): the cluster's internal listener. */
  internalSubmission: 20588,
  /** Dovecot's Sieve output (vacation replies, forwards) into Postfix: loopback only, no SASL. */
  reinjection: 20589,
  smtps: 20465,
  imap: 20143,
  pop3: 20110,
  lmtp: 20024,
  managesieve: 20419,
  /** doveadm's HTTP API (quota usage for the panel). */
  doveadmHttp: 20808,
  dovecotAuth: 20026,
  /** Webmail (Roundcube behind nginx + php-fpm), `WEBMAIL_URL`. */
  webmail: 20090,
  rspamdMilter: 21332,
  rspamdController: 21334,
  rspamdNormal: 21333,
  redis: 26379,
  // The S3 object store (versitygw): S3 API.
  s3: 29000,
  // The local ACME CA (Pebble): directory and management (roots) endpoints.
  pebble: 21400,
  pebbleManagement: 21500,
  // The edge (Traefik): web and websecure entry points, ping and metrics.
  edgeHttp: 20080,
  edgeHttps: 20443,
  edgeInternal: 29100,
  // The in-cluster edge of `bootstrap --local` (Traefik's hostPorts on the node): its mail and DNS entry
  // points, away from the host Postfix/Dovecot/PowerDNS ports (EDGE_*_ADDR in `stack env`).
  edgeSmtp: 20925,
  edgeSubmission: 20987,
  edgeImap: 20943,
  edgeImaps: 20993,
  edgeDns: 20953,
  /** The SFTP gateway (SFTP_ADDR). */
  sftp: 20022,
} as const;

export type StackPorts = typeof stackPorts;
