import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  CreateBucketCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { ObjectStoreError } from '../errors.ts';
import type { ObjectSource, ObjectStore, StoredObject } from '../port.ts';
import type { ObjectStoreSettings } from '../settings.ts';

// The only importer of the AWS SDK. Path-style addressing whenever an endpoint is given: versitygw,
// Ceph RGW and most S3-compatible stores do not serve bucket sub-domains.

export class S3ObjectStore implements ObjectStore {
  readonly bucket: string;
  private readonly client: S3Client;

  constructor(settings: ObjectStoreSettings) {
    this.bucket = settings.bucket;
    this.client = new S3Client({
      region: settings.region,
      ...(settings.endpoint ? { endpoint: settings.endpoint, forcePathStyle: true } : {}),
      credentials: { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey },
      // Checksums only when the operation requires them: S3-compatible stores differ in what they accept.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  async ensureBucket(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
      return;
    } catch (error) {
      if (!(error instanceof S3ServiceException) || error.$metadata.httpStatusCode !== 404)
        throw this.wrap(error, `head bucket ${this.bucket}`);
    }
    try {
      await this.client.send(new CreateBucketCommand({ Bucket: this.bucket }));
    } catch (error) {
      // Another caller made it between our HEAD and CREATE.
      if (error instanceof S3ServiceException && error.name === 'BucketAlreadyOwnedByYou') return;
      throw this.wrap(error, `create bucket ${this.bucket}`);
    }
  }

  async put(key: string, source: ObjectSource, contentType = 'application/octet-stream'): Promise<void> {
    const body =
      'bytes' in source
        ? { Body: source.bytes, ContentLength: source.bytes.byteLength }
        : { Body: createReadStream(source.file), ContentLength: (await stat(source.file)).size };
    try {
      await this.client.send(
        new PutObjectCommand({ Bucket: this.bucket, Key: key, ContentType: contentType, ...body }),
      );
    } catch (error) {
      throw this.wrap(error, `put ${key}`);
    }
  }

  async getBytes(key: string): Promise<Uint8Array> {
    try {
      const answer = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      if (!answer.Body) throw new ObjectStoreError('Unavailable', `get ${key}: empty answer`);
      return await answer.Body.transformToByteArray();
    } catch (error) {
      throw this.wrap(error, `get ${key}`);
    }
  }

  async download(key: string, file: string): Promise<void> {
    try {
      const answer = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      if (!(answer.Body instanceof Readable))
        throw new ObjectStoreError('Unavailable', `get ${key}: no stream`);
      await pipeline(answer.Body, createWriteStream(file));
    } catch (error) {
      throw this.wrap(error, `download ${key}`);
    }
  }

  async list(prefix: string): Promise<StoredObject[]> {
    const found: StoredObject[] = [];
    let token: string | undefined;
    try {
      do {
        const page = await this.client.send(
          new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }),
        );
        for (const o of page.Contents ?? [])
          if (o.Key)
            found.push({ key: o.Key, size: o.Size ?? 0, lastModified: o.LastModified ?? new Date(0) });
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    } catch (error) {
      throw this.wrap(error, `list ${prefix}`);
    }
    return found.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async delete(keys: readonly string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 1000) {
      const batch = keys.slice(i, i + 1000);
      try {
        const answer = await this.client.send(
          new DeleteObjectsCommand({
            Bucket: this.bucket,
            Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
          }),
        );
        const failed = (answer.Errors ?? []).filter((e) => e.Code !== 'NoSuchKey');
        if (failed.length > 0)
          throw new ObjectStoreError(
            'Unavailable',
            `delete: ${failed.map((e) => `${e.Key}: ${e.Code} ${e.Message}`).join('; ')}`,
          );
      } catch (error) {
        throw this.wrap(error, `delete ${batch.length} objects`);
      }
    }
  }

  private wrap(error: unknown, what: string): ObjectStoreError {
    if (error instanceof ObjectStoreError) return error;
    if (error instanceof S3ServiceException) {
      const status = error.$metadata.httpStatusCode ?? 0;
      const code =
        status === 404 || error.name === 'NoSuchKey' || error.name === 'NoSuchBucket'
          ? 'NotFound'
          : status === 403 || status === 401
            ? 'Forbidden'
            : status === 400
              ? 'Invalid'
              : 'Unavailable';
      return new ObjectStoreError(code, `${what}: ${error.name} (${status}) ${error.message}`, {
        cause: error,
      });
    }
    const message = error instanceof Error ? error.message : String(error);
    return new ObjectStoreError('Unavailable', `${what}: ${message}`, { cause: error });
  }
}
