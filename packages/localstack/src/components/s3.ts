import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { ObjectStoreError, S3ObjectStore } from '@hostplane/object-store';
import type { Component, StackContext } from '../component.ts';
import { STACK_HOST } from '../ports.ts';

// The stack's S3 object store: versitygw (Apache-2.0, built from its Go module, backup-programs.ts)
// with its POSIX backend: each bucket is a folder under `<stateDir>/s3/data`, each object a file (the
// backend keeps S3 metadata in extended attributes, which ext4 and xfs have). Velero's
// BackupStorageLocation and the platform backups (`hostplane backup-platform`) write here.

const NAME = 's3';
/** Access key ids are not secret; the secret key is generated per stack (secrets.json). */
export const S3_ACCESS_KEY = 'hostplane';
export const S3_BUCKET = 'hostplane-backups';
export const S3_REGION = 'us-east-1';

function dirs(ctx: StackContext) {
  const root = path.join(ctx.stateDir, NAME);
  return { root, data: path.join(root, 'data') };
}

export function s3Endpoint(ctx: StackContext): string {
  return `http://${STACK_HOST}:${ctx.ports.s3}`;
}

function objectStore(ctx: StackContext): S3ObjectStore {
  return new S3ObjectStore({
    endpoint: s3Endpoint(ctx),
    region: S3_REGION,
    accessKeyId: S3_ACCESS_KEY,
    secretAccessKey: ctx.secrets.s3SecretKey,
    bucket: S3_BUCKET,
  });
}

export const s3: Component = {
  name: NAME,
  dependsOn: [],
  async prepare(ctx) {
    await mkdir(dirs(ctx).data, { recursive: true, mode: 0o700 });
  },
  processes(ctx) {
    return [
      {
        name: NAME,
        command: ctx.binaries.versitygw,
        args: [
          '--port',
          `${STACK_HOST}:${ctx.ports.s3}`,
          '--region',
          S3_REGION,
          '--quiet',
          'posix',
          dirs(ctx).data,
        ],
        // The root account through the environment, so the secret is not in `ps` output.
        env: { ROOT_ACCESS_KEY_ID: S3_ACCESS_KEY, ROOT_SECRET_ACCESS_KEY: ctx.secrets.s3SecretKey },
      },
    ];
  },
  async healthy(ctx) {
    // A signed S3 request answered: the listener is up and the root credentials are the ones we hold
    // (before afterHealthy made the bucket, "no such bucket" is that answer too).
    try {
      await objectStore(ctx).list('.health/');
      return true;
    } catch (error) {
      return error instanceof ObjectStoreError && error.code === 'NotFound';
    }
  },
  async afterHealthy(ctx) {
    await objectStore(ctx).ensureBucket();
  },
  address(ctx) {
    return `${s3Endpoint(ctx)} (bucket ${S3_BUCKET})`;
  },
};
