// The Debian packages the local stack runs on, in one place: scripts/setup.ts installs the missing
// ones, the README lists them. Debian 12 (bookworm) names; Ubuntu 22.04+ has the same names.
export const DEBIAN_PACKAGES = [
  // panel database
  'postgresql',
  // mail and PowerDNS database
  'mariadb-server',
  'mariadb-client',
  // DNS
  'pdns-server',
  'pdns-backend-mysql',
  // the local internet's resolver (DNS_RESOLVER_ADDR)
  'pdns-recursor',
  // mail
  'postfix',
  'postfix-mysql',
  'dovecot-imapd',
  'dovecot-pop3d',
  'dovecot-lmtpd',
  'dovecot-mysql',
  // Sieve on delivery (autoresponder, forwarding, filters) and ManageSieve for mail clients
  'dovecot-sieve',
  'dovecot-managesieved',
  'rspamd',
  'redis-server',
  // certificates, DNS and SMTP checks used by the stack and its tests
  'openssl',
  'dnsutils',
  'swaks',
  'ca-certificates',
  'curl',
  // an S3 client independent of the panel's own (object store tests list the bucket with it)
  's3cmd',
  // the edge's throughput figures (npm run bench:edge)
  'wrk',
  // the real node (HOSTPLANE_STACK_NODE=real): container runtime, CNI plugins, kube-proxy's iptables
  'containerd',
  'runc',
  'containernetworking-plugins',
  'iptables',
  'conntrack',
  // ip: the node's bridge and routes; npm test's network namespace for the node phase
  'iproute2',
  // the network isolation node test's host-side listeners (the "internet" namespace, decoys), and the
  // node gateway (host services relayed onto the node's address for the platform's own pods, Velero's node agent and data movers)
  'socat',
  // images without a registry: Debian root file systems → image archives; gcc builds the pause binary
  'mmdebstrap',
  'umoci',
  'skopeo',
  'gcc',
  'libc6-dev',
  // SFTP: ssh-keygen makes the gateway's host keys; sftp, scp and ssh-keyscan are the node tests' clients
  'openssh-client',
  // the web panel's browser tests (playwright-core drives Debian's Chromium)
  'chromium',
  // `nginx -t` checks the rendered site nginx configuration (packages/domain nginx-conf.int.test.ts)
  'nginx-light',
  // webmail (issue 17): Roundcube with its SQLite driver, served by php-fpm (install php8.2-fpm first,
  // or apt picks Apache's mod_php for Roundcube's php dependency)
  'php8.2-fpm',
  'roundcube-core',
  'roundcube-sqlite3',
] as const;

/** System services Debian starts when these packages are installed; setup stops and disables them. */
export const DEBIAN_SERVICES = [
  'postgresql',
  'mariadb',
  'pdns',
  'pdns-recursor',
  'postfix',
  'dovecot',
  'rspamd',
  'redis-server',
  'nginx',
  'containerd',
  'php8.2-fpm',
] as const;
