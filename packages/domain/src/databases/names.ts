// Customer databases (issue 16): names and the rules the API checks before anything is stored.
import { createHash } from 'node:crypto';

/** MariaDB identifiers we allow: unquoted-safe, short enough for a user name (MariaDB allows 80). */
export const DATABASE_NAME_PATTERN = /^[a-z][a-z0-9_]{0,31}$/;

/** Names MariaDB or the platform keep for themselves. */
const RESERVED_DATABASES = new Set(['mysql', 'information_schema', 'performance_schema', 'sys', 'test']);
const RESERVED_USERS = new Set(['root', 'mysql', 'mariadb_sys', 'public', 'healthcheck']);

export interface DatabaseNameIssue {
  path: string[];
  message: string;
}

export function databaseNameIssues(name: string, field = 'name'): DatabaseNameIssue[] {
  if (!DATABASE_NAME_PATTERN.test(name))
    return [
      { path: [field], message: 'lowercase letters, digits and "_", starting with a letter, at most 32' },
    ];
  if (RESERVED_DATABASES.has(name)) return [{ path: [field], message: `"${name}" is reserved` }];
  return [];
}

export function databaseUserNameIssues(name: string, field = 'name'): DatabaseNameIssue[] {
  if (!DATABASE_NAME_PATTERN.test(name))
    return [
      { path: [field], message: 'lowercase letters, digits and "_", starting with a letter, at most 32' },
    ];
  if (RESERVED_USERS.has(name)) return [{ path: [field], message: `"${name}" is reserved` }];
  return [];
}

/** Sites named like the customer's database server's objects would collide with them. */
export const RESERVED_SITE_NAMES: readonly string[] = ['mariadb'];

/** The Service (and StatefulSet) of the customer's MariaDB in its namespace. */
export const DATABASE_SERVER_NAME = 'mariadb';
export const DATABASE_SERVER_PORT = 3306;

/** The host a pod in the tenant namespace reaches the customer's MariaDB at. */
export function databaseHost(customerId: number, clusterDomain: string): string {
  return `${DATABASE_SERVER_NAME}.cust-${customerId}.svc.${clusterDomain}`;
}

/** Secret holding one database's owner credentials (no site object's name ends in "-credentials"). */
export function databaseSecretName(database: string): string {
  return `mariadb-${database.replaceAll('_', '-')}-credentials`;
}

/** Environment variable prefix of an attached database in a site's containers. */
export function databaseEnvPrefix(database: string): string {
  return `DB_${database.toUpperCase()}_`;
}

/**
 * MariaDB's mysql_native_password hash ("*" + upper hex SHA1(SHA1(password))): what the server
 * stores, so the desired state compares hashes and never sends a password twice.
 */
export function nativePasswordHash(password: string): string {
  const inner = createHash('sha1').update(password, 'utf8').digest();
  return `*${createHash('sha1').update(inner).digest('hex').toUpperCase()}`;
}
