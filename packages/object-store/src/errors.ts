export type ObjectStoreErrorCode = 'NotFound' | 'Forbidden' | 'Invalid' | 'Unavailable';

/** The closed set of object-store failures; `Unavailable` is the retryable one. */
export class ObjectStoreError extends Error {
  readonly code: ObjectStoreErrorCode;
  constructor(code: ObjectStoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ObjectStoreError';
    this.code = code;
  }
  get retryable(): boolean {
    return this.code === 'Unavailable';
  }
}
