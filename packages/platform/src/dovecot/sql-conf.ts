import { header } from '../mail-settings.ts';
import type { DovecotSettings } from './settings.ts';

/** dovecot-sql.conf.ext: passdb and userdb on the mail tables. Dovecot escapes %u for SQL. */
export function renderDovecotSql(settings: DovecotSettings): string {
  const { mailDb, paths } = settings;
  const connect = `host=${mailDb.host} port=${mailDb.port} dbname=${mailDb.database} user=${mailDb.user} password=${mailDb.password}`;
  return [
    header(settings.target).trimEnd(),
    'driver = mysql',
    `connect = ${connect}`,
    `default_pass_scheme = ${settings.defaultPasswordScheme}`,
    // A disabled mailbox, or any mailbox of a suspended customer (send_enabled = 0), cannot log in (IMAP,
    // POP3, ManageSieve, webmail, SMTP AUTH) but keeps receiving mail (issue 17).
    "password_query = SELECT email AS user, password FROM virtual_users WHERE email = '%u' AND enabled = 1 AND send_enabled = 1",
    // 0 bytes means no limit for Dovecot's quota plugin.
    `user_query = SELECT CONCAT('${paths.mailRoot}/', maildir) AS home, CONCAT('*:bytes=', quota_bytes) AS quota_rule FROM virtual_users WHERE email = '%u'`,
    'iterate_query = SELECT email AS user FROM virtual_users',
    '',
  ].join('\n');
}

/** The Sieve dict's SQL map: `priv/sieve/name/{name}` → the script's id (its SHA-256, so a changed
 * script is compiled again), `priv/sieve/data/{id}` → the script. Rows per user; none means no script. */
export function renderDovecotSieveDict(settings: DovecotSettings): string {
  const { mailDb } = settings;
  return `${header(settings.target)}connect = host=${mailDb.host} port=${mailDb.port} dbname=${mailDb.database} user=${mailDb.user} password=${mailDb.password}

map {
  pattern = priv/sieve/name/$script_name
  table = virtual_sieve_scripts
  username_field = username
  value_field = script_id
  fields {
    name = $script_name
  }
}

map {
  pattern = priv/sieve/data/$id
  table = virtual_sieve_scripts
  username_field = username
  value_field = script
  fields {
    script_id = $id
  }
}
`;
}
