// The ObjectStore adapter against the local stack's real S3 store (versitygw), read back with an
// independent S3 client (Debian's s3cmd), so the test does not only trust the adapter's own view.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadStackEnv } from '@hostplane/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3ObjectStore } from './client/s3-client.ts';
import { ObjectStoreError } from './errors.ts';
import { objectStoreSettingsFromEnv } from './settings.ts';

const run = promisify(execFile);
const env = loadStackEnv();
const store = new S3ObjectStore(objectStoreSettingsFromEnv(env));
const prefix = `int-${process.pid.toString(36)}-${Date.now().toString(36)}`;
let dir: string;

/** `s3cmd` with the stack's endpoint and keys (no config file of the user's is read). */
async function s3cmd(...args: string[]): Promise<string> {
  const endpoint = new URL(env.S3_ENDPOINT ?? '');
  const { stdout } = await run('s3cmd', [
    '--config=/dev/null',
    `--access_key=${env.S3_ACCESS_KEY}`,
    `--secret_key=${env.S3_SECRET_KEY}`,
    `--host=${endpoint.host}`,
    `--host-bucket=${endpoint.host}`,
    '--no-ssl',
    '--region=us-east-1',
    ...args,
  ]);
  return stdout;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'hostplane-s3-'));
});
afterAll(async () => {
  const keys = (await store.list(`${prefix}/`)).map((o) => o.key);
  await store.delete(keys);
  await rm(dir, { recursive: true, force: true });
});

describe('the stack S3 store', () => {
  it('stack env names the store and its bucket exists (made at up)', async () => {
    expect(env.S3_ENDPOINT).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(env.S3_BUCKET).toBe('hostplane-backups');
    expect(await s3cmd('ls')).toContain(`s3://${env.S3_BUCKET}`);
    await store.ensureBucket(); // idempotent
  });

  it('put bytes and a file; s3cmd lists and fetches the same bytes', async () => {
    const small = Buffer.from('{"hello":"s3"}\n');
    const large = randomBytes(3 * 1024 * 1024 + 17);
    const file = path.join(dir, 'large.bin');
    await writeFile(file, large);
    await store.put(`${prefix}/small.json`, { bytes: small }, 'application/json');
    await store.put(`${prefix}/nested/large.bin`, { file });

    const listing = await s3cmd('ls', '--recursive', `s3://${env.S3_BUCKET}/${prefix}/`);
    expect(listing).toContain(`s3://${env.S3_BUCKET}/${prefix}/small.json`);
    expect(listing).toContain(`s3://${env.S3_BUCKET}/${prefix}/nested/large.bin`);
    const fetched = path.join(dir, 'fetched.bin');
    await s3cmd('get', '--force', `s3://${env.S3_BUCKET}/${prefix}/nested/large.bin`, fetched);
    expect((await readFile(fetched)).equals(large)).toBe(true);

    expect(Buffer.from(await store.getBytes(`${prefix}/small.json`)).toString()).toBe(small.toString());
    const downloaded = path.join(dir, 'downloaded.bin');
    await store.download(`${prefix}/nested/large.bin`, downloaded);
    expect((await readFile(downloaded)).equals(large)).toBe(true);
    expect((await store.list(`${prefix}/`)).map((o) => [o.key, o.size])).toEqual([
      [`${prefix}/nested/large.bin`, large.length],
      [`${prefix}/small.json`, small.length],
    ]);
  });

  it('delete removes the keys (gone for s3cmd too); a missing key is NotFound, deleting it again is fine', async () => {
    await store.delete([`${prefix}/small.json`]);
    await store.delete([`${prefix}/small.json`]);
    expect(await s3cmd('ls', '--recursive', `s3://${env.S3_BUCKET}/${prefix}/`)).not.toContain('small.json');
    const missing = await store.getBytes(`${prefix}/small.json`).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ObjectStoreError);
    expect((missing as ObjectStoreError).code).toBe('NotFound');
  });

  it('wrong credentials are Forbidden, not an empty listing', async () => {
    const wrong = new S3ObjectStore({
      ...objectStoreSettingsFromEnv(env),
      secretAccessKey: 'not-the-key-0123456789',
    });
    const error = await wrong.list(`${prefix}/`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ObjectStoreError);
    expect((error as ObjectStoreError).code).toBe('Forbidden');
  });
});
