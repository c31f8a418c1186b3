// Loopback ports of the local stack. All are high and away from the standard ones so a
// developer's own PostgreSQL, MySQL, DNS or mail server never collides with the stack.
export const STACK_HOST = '127.0.0.1';

export const stackPorts = {
  etcdClient: 23790,
  etcdPeer: 23800,
  kubeApiserver: 16443,
  kubeControllerManager: 20257,
  kubeScheduler: 20259,
  kwokMetrics: 20263,
  postgres: 25432,
  mariadb: 23306,
  pdnsDns: 20053,
  pdnsApi: 28081,
  smtp: 20025,
  submission: 20587,
  /** Tenant sites' submission (no PROXY header; SASL required): the cluster's internal listener. */
  internalSubmission: 20588,
  smtps: 20465,
  imap: 20143,
  pop3: 20110,
  lmtp: 20024,
  dovecotAuth: 20026,
  rspamdMilter: 21332,
  rspamdController: 21334,
  rspamdNormal: 21333,
  redis: 26379,
} as const;

export type StackPorts = typeof stackPorts;
