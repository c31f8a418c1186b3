// Where the platform's three databases are, as the pods that use them connect: the panel's PostgreSQL,
// the mail DB and PowerDNS' DB. One answer for the panel, the worker and the platform backup: a
// system kept outside the cluster (`bootstrap.external`) replaces the in-cluster Service.
import type { BootstrapConfig } from '../config/bootstrap-schema.ts';
import { DNS_NAMESPACE } from './dns.ts';
import { MAIL_NAMESPACE } from './mail.ts';

const q = encodeURIComponent;

/** The panel's PostgreSQL: `external.panelDatabaseUrl`, or the panel-db StatefulSet. */
export function panelDatabaseUrl(config: BootstrapConfig): string {
  const s = config.bootstrap.secrets;
  return (
    config.bootstrap.external.panelDatabaseUrl ??
    `postgres://hostplane:${q(s.postgresPassword)}@panel-db.${config.panelIdentity.namespace}.svc:5432/hostplane`
  );
}

/** The mail DB (Postfix's and Dovecot's maps, written by the worker). */
export function mailDatabaseUrl(config: BootstrapConfig): string {
  return (
    config.bootstrap.external.mailDatabaseUrl ??
    `mysql://mail:${q(config.bootstrap.secrets.mailDbPassword)}@mail-db.${MAIL_NAMESPACE}.svc:3306/mail`
  );
}

/**
 * PowerDNS' DB: `external.pdnsDatabaseUrl`, or dns-system's pdns-db. None when PowerDNS runs outside
 * (`external.pdnsApiUrl`) and its database was not given: nothing in the cluster holds it then.
 */
export function pdnsDatabaseUrl(config: BootstrapConfig): string | undefined {
  const ext = config.bootstrap.external;
  if (ext.pdnsDatabaseUrl) return ext.pdnsDatabaseUrl;
  if (ext.pdnsApiUrl) return undefined;
  return `mysql://pdns:${q(config.bootstrap.secrets.pdnsDbPassword)}@pdns-db.${DNS_NAMESPACE}.svc:3306/pdns`;
}
