import { z } from 'zod';

export interface DatabaseTarget {
  engine: 'postgres' | 'mariadb';
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

const urlSchema = z.url({
  protocol: /^(postgres|postgresql|mysql|mariadb)$/,
  error: 'a postgres:// or mysql:// URL',
});

/** `postgres://u:p@h:5432/db` or `mysql://u:p@h:3306/db` → its parts (the password decoded). */
export function parseDatabaseUrl(url: string): DatabaseTarget {
  const parsed = new URL(urlSchema.parse(url));
  const engine = parsed.protocol.startsWith('postgres') ? 'postgres' : 'mariadb';
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (!database) throw new Error('the database URL names no database');
  if (!parsed.username) throw new Error('the database URL names no user');
  return {
    engine,
    host: parsed.hostname,
    port: Number(parsed.port || (engine === 'postgres' ? 5432 : 3306)),
    user: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
    database,
  };
}
