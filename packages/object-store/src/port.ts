// The object store as Hostplane uses it: one bucket, keys under prefixes, whole objects. Any S3 works
// (AWS, versitygw, Ceph RGW, Wasabi…); the one adapter is client/s3-client.ts.

export interface StoredObject {
  key: string;
  size: number;
  lastModified: Date;
}

/** What to upload: bytes in memory, or a file streamed from disk (dumps can be large). */
export type ObjectSource = { bytes: Uint8Array } | { file: string };

export interface ObjectStore {
  /** The bucket's name (for messages and manifests). */
  readonly bucket: string;
  /** Creates the bucket when it does not exist; an existing bucket of ours is fine. */
  ensureBucket(): Promise<void>;
  put(key: string, source: ObjectSource, contentType?: string): Promise<void>;
  /** The whole object in memory (small objects: manifests). */
  getBytes(key: string): Promise<Uint8Array>;
  /** Streams the object into `file` (created or truncated). */
  download(key: string, file: string): Promise<void>;
  /** Every object under `prefix`, sorted by key. */
  list(prefix: string): Promise<StoredObject[]>;
  /** Deletes these keys; a key already gone is not an error. */
  delete(keys: readonly string[]): Promise<void>;
}
