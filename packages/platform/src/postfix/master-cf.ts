import { header } from '../mail-settings.ts';
import { type PostfixSettings, SUBMISSION_SENDER_RESTRICTIONS } from './settings.ts';

interface Service {
  name: string | number;
  type: 'inet' | 'unix' | 'unix-dgram' | 'pass';
  private?: 'n' | '-';
  unpriv?: 'n' | '-';
  wakeup?: string;
  maxproc?: string;
  command: string;
  options?: Record<string, string>;
}

// The services every Postfix instance needs; chroot is off everywhere so that one file works in a
// container and in a second instance on a developer machine alike.
const INTERNAL_SERVICES: Service[] = [
  { name: 'pickup', type: 'unix', private: 'n', wakeup: '60', maxproc: '1', command: 'pickup' },
  { name: 'cleanup', type: 'unix', private: 'n', maxproc: '0', command: 'cleanup' },
  { name: 'qmgr', type: 'unix', private: 'n', wakeup: '300', maxproc: '1', command: 'qmgr' },
  { name: 'tlsmgr', type: 'unix', wakeup: '1000?', maxproc: '1', command: 'tlsmgr' },
  { name: 'rewrite', type: 'unix', command: 'trivial-rewrite' },
  { name: 'bounce', type: 'unix', maxproc: '0', command: 'bounce' },
  { name: 'defer', type: 'unix', maxproc: '0', command: 'bounce' },
  { name: 'trace', type: 'unix', maxproc: '0', command: 'bounce' },
  { name: 'verify', type: 'unix', maxproc: '1', command: 'verify' },
  { name: 'flush', type: 'unix', private: 'n', wakeup: '1000?', maxproc: '0', command: 'flush' },
  { name: 'proxymap', type: 'unix', command: 'proxymap' },
  { name: 'proxywrite', type: 'unix', maxproc: '1', command: 'proxymap' },
  { name: 'smtp', type: 'unix', command: 'smtp' },
  { name: 'relay', type: 'unix', command: 'smtp', options: { syslog_name: 'postfix/$service_name' } },
  { name: 'showq', type: 'unix', private: 'n', command: 'showq' },
  { name: 'error', type: 'unix', command: 'error' },
  { name: 'retry', type: 'unix', command: 'error' },
  { name: 'discard', type: 'unix', command: 'discard' },
  { name: 'local', type: 'unix', unpriv: 'n', command: 'local' },
  { name: 'virtual', type: 'unix', unpriv: 'n', command: 'virtual' },
  { name: 'lmtp', type: 'unix', command: 'lmtp' },
  { name: 'anvil', type: 'unix', maxproc: '1', command: 'anvil' },
  { name: 'scache', type: 'unix', maxproc: '1', command: 'scache' },
  { name: 'postlog', type: 'unix-dgram', private: 'n', maxproc: '1', command: 'postlogd' },
];

export function renderMasterCf(settings: PostfixSettings): string {
  const services = [...publicServices(settings), ...INTERNAL_SERVICES];
  const lines = services.map(formatService).join('\n');
  const columns = '# service type  private unpriv  chroot  wakeup  maxproc command + args';
  return `${header(settings.target)}${columns}\n${lines}\n`;
}

function publicServices(s: PostfixSettings): Service[] {
  const services: Service[] = [
    { name: s.ports.smtp, type: 'inet', private: 'n', maxproc: '1', command: 'postscreen' },
    { name: 'smtpd', type: 'pass', command: 'smtpd' },
    { name: 'dnsblog', type: 'unix', maxproc: '0', command: 'dnsblog' },
    { name: 'tlsproxy', type: 'unix', maxproc: '0', command: 'tlsproxy' },
    {
      name: s.ports.submission,
      type: 'inet',
      private: 'n',
      command: 'smtpd',
      options: submissionOptions(s, 'submission'),
    },
  ];
  if (s.ports.smtps !== null && s.tls) {
    const options = { ...submissionOptions(s, 'smtps'), smtpd_tls_wrappermode: 'yes' };
    services.push({ name: s.ports.smtps, type: 'inet', private: 'n', command: 'smtpd', options });
  }
  if (s.ports.internalSubmission !== null) {
    const options = internalSubmissionOptions(s);
    services.push({
      name: s.ports.internalSubmission,
      type: 'inet',
      private: 'n',
      command: 'smtpd',
      options,
    });
  }
  if (s.ports.reinjection !== null) {
    const options = reinjectionOptions(s);
    services.push({ name: s.ports.reinjection, type: 'inet', private: 'n', command: 'smtpd', options });
  }
  return services;
}

/** Dovecot's Sieve output: auto-replies and forwards of mail already accepted for a mailbox. Only the
 * mail servers' own addresses may connect; they may relay (a forward goes anywhere). */
function reinjectionOptions(s: PostfixSettings): Record<string, string> {
  const options: Record<string, string> = {
    syslog_name: 'postfix/reinjection',
    smtpd_sasl_auth_enable: 'no',
    smtpd_client_restrictions: 'permit_mynetworks,reject',
    smtpd_helo_restrictions: '',
    smtpd_sender_restrictions: '',
    smtpd_relay_restrictions: 'permit_mynetworks,reject',
    smtpd_recipient_restrictions: 'reject_non_fqdn_recipient,permit_mynetworks,reject',
    smtpd_upstream_proxy_protocol: '',
    smtpd_authorized_xclient_hosts: '',
    smtpd_authorized_xforward_hosts: '',
  };
  if (s.reinjectionNetworks.length > 0) options.mynetworks = s.reinjectionNetworks.join(',');
  return options;
}

/** Tenant sites' submission inside the cluster (reached from tenant namespaces only, by NetworkPolicy):
 * the same SASL and sender rules as submission, but the client's address is the socket's own — no PROXY
 * header is expected (a pod could forge one), and no XCLIENT/XFORWARD host is trusted. */
function internalSubmissionOptions(s: PostfixSettings): Record<string, string> {
  const cluster = s.target === 'cluster';
  return {
    ...submissionOptions(s, 'submission-internal'),
    // STARTTLS offered; in the cluster a password never crosses the pod network in clear.
    smtpd_tls_security_level: s.tls ? 'may' : 'none',
    smtpd_tls_auth_only: cluster && s.tls ? 'yes' : 'no',
    smtpd_upstream_proxy_protocol: '',
    smtpd_authorized_xclient_hosts: '',
    smtpd_authorized_xforward_hosts: '',
  };
}

/** Submission: SASL required, and a user sends only as addresses its login owns. */
function submissionOptions(s: PostfixSettings, syslogName: string): Record<string, string> {
  const cluster = s.target === 'cluster';
  const options: Record<string, string> = {
    syslog_name: `postfix/${syslogName}`,
    // Locally a client may authenticate without STARTTLS (self-signed certificate); never in the cluster.
    smtpd_tls_security_level: cluster ? 'encrypt' : s.tls ? 'may' : 'none',
    smtpd_tls_auth_only: cluster ? 'yes' : 'no',
    smtpd_sasl_auth_enable: 'yes',
    smtpd_client_restrictions: 'permit_sasl_authenticated,reject',
    // A suspended customer's login is refused first (whatever the sender, `<>` too); then the envelope
    // sender must be an address of the login's customer. The header From is Rspamd's check.
    // (main.cf holds the list: a -o value cannot contain the space of `check_sasl_access <map>`.)
    smtpd_sender_restrictions: `$${SUBMISSION_SENDER_RESTRICTIONS}`,
    smtpd_relay_restrictions: 'permit_sasl_authenticated,reject',
    smtpd_recipient_restrictions: 'reject_non_fqdn_recipient,permit_sasl_authenticated,reject',
    milter_macro_daemon_name: 'ORIGINATING',
  };
  if (cluster) options.smtpd_upstream_proxy_protocol = 'haproxy';
  return options;
}

function formatService(service: Service): string {
  const columns = [
    String(service.name).padEnd(9),
    service.type.padEnd(5),
    (service.private ?? '-').padEnd(7),
    (service.unpriv ?? '-').padEnd(7),
    'n'.padEnd(7),
    (service.wakeup ?? '-').padEnd(7),
    (service.maxproc ?? '-').padEnd(7),
    service.command,
  ].join(' ');
  const options = Object.entries(service.options ?? {}).map(([key, value]) => `  -o ${key}=${value}`);
  return [columns, ...options].join('\n');
}
