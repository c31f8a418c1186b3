import { DATABASE_NAME_PATTERN } from '@hostplane/domain';
import { z } from 'zod';
import { idParam, timestamp } from './common.ts';
import { siteName } from './sites.ts';

/** A MariaDB database or user name: lowercase letters, digits and "_", starting with a letter, ≤ 32. */
export const databaseName = z
  .string()
  .regex(DATABASE_NAME_PATTERN, 'lowercase letters, digits and "_", starting with a letter, at most 32');

export const createDatabaseBody = z
  .object({
    name: databaseName,
    /** Sites that get the owner's credentials as DB_<NAME>_HOST/PORT/NAME/USER/PASSWORD. */
    sites: z.array(siteName).max(50).default([]),
  })
  .strict();
export type CreateDatabaseBody = z.infer<typeof createDatabaseBody>;

export const updateDatabaseBody = z.object({ sites: z.array(siteName).max(50) }).strict();

export const createDatabaseUserBody = z.object({ name: databaseName }).strict();

export const databaseParams = z.object({ id: idParam, name: databaseName }).strict();
export const databaseUserParams = z.object({ id: idParam, name: databaseName, user: databaseName }).strict();

export const databaseUserSchema = z
  .object({
    name: z.string(),
    owner: z.boolean().describe('made with the database; attached sites get its credentials'),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ id: 'DatabaseUser' });

export const databaseSchema = z
  .object({
    name: z.string(),
    sites: z.array(z.string()),
    host: z.string().describe("the customer's MariaDB as pods of its namespace reach it"),
    port: z.number().int(),
    users: z.array(databaseUserSchema),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ id: 'Database' });
export type Database = z.infer<typeof databaseSchema>;

/** A password appears here only: at creation and at a reset. */
export const databaseCredentialsSchema = z
  .object({
    database: z.string(),
    username: z.string(),
    password: z.string().describe('shown once'),
    host: z.string(),
    port: z.number().int(),
  })
  .meta({ id: 'DatabaseCredentials' });

export const createdDatabaseSchema = databaseSchema
  .extend({ credentials: databaseCredentialsSchema })
  .meta({ id: 'CreatedDatabase' });

export const databaseImportSchema = z
  .object({ database: z.string(), bytes: z.number().int(), ms: z.number().int() })
  .meta({ id: 'DatabaseImport' });
