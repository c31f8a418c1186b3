export * from './bootstrap/index.ts';
export * from './config/index.ts';
export * from './dovecot/index.ts';
export {
  absolutePathSchema,
  CLUSTER_MAIL_ROOT,
  type Endpoint,
  type MailDb,
  type MailTarget,
  type RenderedFile,
} from './mail-settings.ts';
export * from './pdns/index.ts';
export * from './postfix/index.ts';
export * from './rbac/index.ts';
export * from './rspamd/index.ts';
export * from './traefik/static-config.ts';
export * from './traefik/version.ts';
export * from './velero/version.ts';
export * from './webmail/index.ts';
