// The closed set of errors the Kubernetes adapter throws; the target maps them to condition reasons.

export type KubeErrorCode =
  | 'NotFound'
  | 'Conflict'
  | 'Invalid'
  | 'Forbidden'
  | 'QuotaExceeded'
  | 'Unavailable';

export class KubeError extends Error {
  constructor(
    readonly code: KubeErrorCode,
    message: string,
    readonly status: number,
    /** Only Unavailable is worth retrying unchanged. */
    readonly retryable = code === 'Unavailable',
  ) {
    super(message);
    this.name = 'KubeError';
  }
}

/** Maps an apiserver answer (status code + Status body message) to our error set. */
export function kubeErrorFromStatus(status: number, message: string): KubeError {
  if (status === 404) return new KubeError('NotFound', message, status);
  if (status === 409) return new KubeError('Conflict', message, status);
  if (status === 400 || status === 422) return new KubeError('Invalid', message, status);
  if (status === 403 && /exceeded quota/.test(message))
    return new KubeError('QuotaExceeded', message, status);
  if (status === 401 || status === 403) return new KubeError('Forbidden', message, status);
  return new KubeError('Unavailable', message, status);
}

export function isKubeError(error: unknown, code?: KubeErrorCode): error is KubeError {
  return error instanceof KubeError && (code === undefined || error.code === code);
}
