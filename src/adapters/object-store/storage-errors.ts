import { FileNotFound, RangeNotSatisfiable, StorageBackendError } from '../../domain/storage/errors';

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

/** What an object store error means to callers: one of these, or (null) not the provider's error at all. */
export type ProviderFailure = 'not_found' | 'range_not_satisfiable' | 'refused';

/** Turns whatever an adapter's call threw into what callers of the ObjectStore port can act on. */
export type StorageErrorTranslator = (operation: string, error: unknown) => unknown;

/**
 * The translation the cloud object stores share, given how their SDK reports a failure: a missing
 * object is FileNotFound, a range past the end RangeNotSatisfiable, any other refusal or a provider
 * that cannot be reached a StorageBackendError. Anything else is the source stream's own failure (a
 * client that went away), not the provider's, and passes unchanged, as do errors already translated.
 */
export function providerErrorTranslator(provider: string, classify: (error: unknown) => ProviderFailure | null): StorageErrorTranslator {
  return (operation, error) => {
    if (error instanceof FileNotFound || error instanceof RangeNotSatisfiable) return error;
    switch (classify(error)) {
      case 'not_found':
        return new FileNotFound('No object at this key');
      case 'range_not_satisfiable':
        return new RangeNotSatisfiable('Range outside the object');
      case 'refused':
        return backendError(provider, operation, error);
      case null:
        return isNetworkError(error) ? backendError(provider, operation, error) : error;
    }
  };
}

/** `guard(operation, work)`: runs the provider call, throwing what `translate` makes of its failure. */
export function guardWith(translate: StorageErrorTranslator): <T>(operation: string, work: () => Promise<T>) => Promise<T> {
  return async (operation, work) => {
    try {
      return await work();
    } catch (error) {
      throw translate(operation, error);
    }
  };
}
