import { StorageBackendError } from '../../domain/storage/errors';

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT']);

/** Whether an SDK error means the provider could not be reached at all (as opposed to a refusal). */
export function isNetworkError(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth++) {
    const e = current as { code?: unknown; errno?: unknown; cause?: unknown; name?: unknown };
    if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return true;
    if (e.name === 'TimeoutError' || e.name === 'AbortError') return true;
    current = e.cause;
  }
  return false;
}

/**
 * The 503 callers see. The message names the provider and the operation only: SDK messages can carry
 * account names, URLs with SAS tokens or request ids that have no business in a response body.
 */
export function backendError(provider: string, operation: string, cause: unknown): StorageBackendError {
  const error = new StorageBackendError(`Storage backend ${provider} failed during ${operation}`, { provider });
  Object.defineProperty(error, 'cause', { value: cause, enumerable: false });
  return error;
}
