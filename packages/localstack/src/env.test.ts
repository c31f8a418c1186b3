import { describe, expect, it } from 'vitest';
import type { StackContext } from './component.ts';
import { buildStackEnv, renderExportLines } from './env.ts';
import { stackPorts } from './ports.ts';

const ctx: StackContext = {
  stateDir: '/srv/stack',
  repoRoot: '/srv/repo',
  ports: stackPorts,
  secrets: {
    postgresPassword: 'pgpass0123456789ab',
    mariadbRootPassword: 'rootpass0123456789',
    mailDbPassword: 'mailpass0123456789',
    mailDbReadonlyPassword: 'ropass0123456789ab',
    pdnsDbPassword: 'pdnsdb0123456789ab',
    pdnsApiKey: 'apikey0123456789ab',
    registryApiKey: 'regkey0123456789ab',
    s3SecretKey: 's3secret0123456789',
    doveadmApiKey: 'doveadm0123456789a',
  },
  binaries: {
    localcluster: '/bin/localcluster',
    versitygw: '/bin/versitygw',
    traefik: '/bin/traefik',
    pebble: '/bin/pebble',
    coredns: '/bin/coredns',
  },
  say: () => {},
};

describe('buildStackEnv', () => {
  it('gives the DESIGN.md §4 variables for the stack', () => {
    expect(buildStackEnv(ctx)).toEqual({
      KUBECONFIG: '/srv/stack/kube/admin.kubeconfig',
      DATABASE_URL: 'postgres://hostplane:pgpass0123456789ab@127.0.0.1:25432/hostplane',
      MAIL_DATABASE_URL: 'mysql://mail:mailpass0123456789@127.0.0.1:23306/mail',
      PDNS_API_URL: 'http://127.0.0.1:28081',
      PDNS_API_KEY: 'apikey0123456789ab',
      PDNS_DNS_ADDR: '127.0.0.1:20053',
      SMTP_ADDR: '127.0.0.1:20025',
      SUBMISSION_ADDR: '127.0.0.1:20587',
      INTERNAL_SUBMISSION_ADDR: '127.0.0.1:20588',
      IMAP_ADDR: '127.0.0.1:20143',
      DNS_RESOLVER_ADDR: '127.0.0.1:20054',
      REGISTRY_API_URL: 'http://127.0.0.1:28082',
      REGISTRY_API_KEY: 'regkey0123456789ab',
      PUBLIC_DNS_ADDR: '127.0.53.1:53',
      PDNS_DATABASE_URL: 'mysql://pdns:pdnsdb0123456789ab@127.0.0.1:23306/pdns',
      S3_ENDPOINT: 'http://127.0.0.1:29000',
      S3_ACCESS_KEY: 'hostplane',
      S3_SECRET_KEY: 's3secret0123456789',
      S3_BUCKET: 'hostplane-backups',
      MANAGESIEVE_ADDR: '127.0.0.1:20419',
      DOVEADM_API_URL: 'http://127.0.0.1:20808',
      DOVEADM_API_KEY: 'doveadm0123456789a',
      WEBMAIL_URL: 'http://127.0.0.1:20090',
      RSPAMD_CONTROLLER_URL: 'http://127.0.0.1:21334',
      HTTP_ADDR: '127.0.0.1:20080',
      HTTPS_ADDR: '127.0.0.1:20443',
      ACME_ROOT_CA: '/srv/stack/pebble/root.pem',
      SFTP_ADDR: '127.0.0.1:20022',
    });
  });
});

describe('renderExportLines', () => {
  it('prints plain values as they are and single-quotes the rest', () => {
    expect(renderExportLines({ A: 'postgres://u:p@127.0.0.1:1/db', B: "it's a $HOME" })).toEqual([
      'export A=postgres://u:p@127.0.0.1:1/db',
      `export B='it'\\''s a $HOME'`,
    ]);
  });
});
