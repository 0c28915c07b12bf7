import { DomainError } from './domain-error';

/** One entry per offending part of a request: where it is and what is wrong with it. */
export interface ValidationIssue {
  path: string;
  message: string;
}

export class ValidationFailed extends DomainError {
  readonly code = 'VALIDATION_ERROR';
  constructor(message: string, issues: ValidationIssue[] = []) {
    super(message, { issues });
  }
}

export class Unauthenticated extends DomainError {
  readonly code = 'UNAUTHORIZED';
}

export class Forbidden extends DomainError {
  readonly code = 'FORBIDDEN';
}

export class NotFound extends DomainError {
  readonly code = 'NOT_FOUND';
}

export class Conflict extends DomainError {
  readonly code = 'CONFLICT';
}

/** The database could not be reached or refused the connection. */
export class DatabaseUnavailable extends DomainError {
  readonly code = 'DATABASE_UNAVAILABLE';
}

/** The database did not answer within the configured time. */
export class DatabaseTimeout extends DomainError {
  readonly code = 'DATABASE_TIMEOUT';
}

/** Redis (or its stand-in) could not serve the call. */
export class KeyValueUnavailable extends DomainError {
  readonly code = 'CACHE_UNAVAILABLE';
}

/** The identity provider's signing keys could not be fetched: the token may be fine, retry later. */
export class IdentityProviderUnavailable extends DomainError {
  readonly code = 'AUTH_PROVIDER_UNAVAILABLE';
}

/** Every pooled connection stayed busy for the whole bounded wait (the seed's 503 body). */
export class PoolExhausted extends DomainError {
  readonly code = 'DATABASE_CONNECTION_FAILED';
  constructor(retryAfterSeconds: number) {
    super('Unable to acquire database connection', { database: 'postgresql', pool_status: 'exhausted', retry_after: retryAfterSeconds });
  }
}

/**
 * COMMIT did not commit: a statement had failed inside the transaction (PostgreSQL then answers
 * COMMIT with a rollback) or the commit itself was refused. Nothing of the transaction persisted.
 */
export class TransactionAborted extends DomainError {
  readonly code = 'TRANSACTION_ABORTED';
  constructor(details: Record<string, unknown> = {}) {
    super('The transaction could not commit and was rolled back; nothing of it was kept', { transaction_status: 'rolled_back', ...details });
  }
}
