import type { StackContext } from './component.ts';
import { kubeconfigPath } from './components/kube-access.ts';
import { mailDatabaseUrl, pdnsDatabaseUrl } from './components/mariadb.ts';
import { pdnsApiUrl } from './components/pdns.ts';
import { acmeRootCaPath } from './components/pebble.ts';
import { postgresUrl } from './components/postgres.ts';
import { resolverAddress } from './components/recursor.ts';
import { registryApiUrl } from './components/registry.ts';
import { S3_ACCESS_KEY, S3_BUCKET, s3Endpoint } from './components/s3.ts';
import { sftpAddress } from './components/sftp.ts';
import { webmailUrl } from './components/webmail.ts';
import { inClusterState, localEntryPoints } from './local-bootstrap.ts';
import { PLATFORM_DNS_HOST, STACK_HOST, STANDARD_DNS_PORT } from './ports.ts';
import type { StackEnv } from './stack-env.ts';

/** The DESIGN.md §4 variables for a stack (`<stateDir>/env.json`, `hostplane stack env`). */
export function buildStackEnv(ctx: StackContext): StackEnv {
  const hostPort = (port: number) => `${STACK_HOST}:${port}`;
  const inCluster = inClusterState(ctx.stateDir);
  return {
    KUBECONFIG: kubeconfigPath(ctx.stateDir, 'admin'),
    DATABASE_URL: postgresUrl(ctx),
    MAIL_DATABASE_URL: mailDatabaseUrl(ctx),
    PDNS_API_URL: pdnsApiUrl(ctx),
    PDNS_API_KEY: ctx.secrets.pdnsApiKey,
    PDNS_DNS_ADDR: hostPort(ctx.ports.pdnsDns),
    SMTP_ADDR: hostPort(ctx.ports.smtp),
    SUBMISSION_ADDR: hostPort(ctx.ports.submission),
    INTERNAL_SUBMISSION_ADDR: hostPort(ctx.ports.internalSubmission),
    IMAP_ADDR: hostPort(ctx.ports.imap),
    // The local internet: the resolver (root = the registry), the registry's API, and the
    // platform's authoritative DNS as the resolver reaches it (port 53 of its own address).
    DNS_RESOLVER_ADDR: resolverAddress(ctx),
    REGISTRY_API_URL: registryApiUrl(ctx),
    REGISTRY_API_KEY: ctx.secrets.registryApiKey,
    PUBLIC_DNS_ADDR: `${PLATFORM_DNS_HOST}:${STANDARD_DNS_PORT}`,
    PDNS_DATABASE_URL: pdnsDatabaseUrl(ctx),
    S3_ENDPOINT: s3Endpoint(ctx),
    S3_ACCESS_KEY,
    S3_SECRET_KEY: ctx.secrets.s3SecretKey,
    S3_BUCKET,
    MANAGESIEVE_ADDR: hostPort(ctx.ports.managesieve),
    DOVEADM_API_URL: `http://${hostPort(ctx.ports.doveadmHttp)}`,
    DOVEADM_API_KEY: ctx.secrets.doveadmApiKey,
    WEBMAIL_URL: webmailUrl(ctx),
    // Rspamd's controller (stat, learn): no password from loopback (secure_ip).
    RSPAMD_CONTROLLER_URL: `http://${hostPort(ctx.ports.rspamdController)}`,
    HTTP_ADDR: hostPort(ctx.ports.edgeHttp),
    HTTPS_ADDR: hostPort(ctx.ports.edgeHttps),
    ACME_ROOT_CA: acmeRootCaPath(ctx.stateDir),
    SFTP_ADDR: sftpAddress(ctx),
    // After `bootstrap --local --apply`: the in-cluster panel through the edge.
    // …and its mail and DNS entry points (Traefik's hostPorts on the node).
    ...(inCluster ? { PANEL_URL: inCluster.panelUrl, ...localEntryPoints() } : {}),
  };
}

/** `export NAME=value` lines; a value with shell-special characters is single-quoted. */
export function renderExportLines(env: Record<string, string>): string[] {
  return Object.entries(env).map(([name, value]) => {
    const safe = /^[A-Za-z0-9_./:@%+=,-]*$/.test(value);
    return `export ${name}=${safe ? value : `'${value.replaceAll("'", `'\\''`)}'`}`;
  });
}
