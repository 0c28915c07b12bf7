import { DomainError, type DomainErrorCode } from '../shared/domain-error';
import { ValidationFailed, type ValidationIssue } from '../shared/errors';

/** A validation issue of a transaction request, with the 1-based index of the operation it is about. */
export interface OperationIssue extends ValidationIssue {
  operation: number;
}

/** Some operation of the request is invalid: 400, nothing was executed. */
export class InvalidTransaction extends ValidationFailed {
  constructor(issues: OperationIssue[]) {
    const first = issues[0];
    super(first ? `Invalid transaction: operation ${first.operation}: ${first.message}` : 'Invalid transaction', issues);
  }
}

/** Why one write was refused while the transaction ran; the code decides the HTTP status. */
export type WriteRejection =
  /** A value the column refuses: bad syntax for its type, too long, NOT NULL, CHECK, a missing referenced row. */
  | 'INVALID_DATA'
  /** A unique key already taken (or held by a row the caller may not change), a row still referenced. */
  | 'CONFLICT'
  /** A child row names a parent the caller does not own (or that does not exist): the same answer for both. */
  | 'PARENT_NOT_FOUND'
  /** The interactive transaction the write joined had already failed; only a rollback is possible. */
  | 'TRANSACTION_ABORTED';

/** Thrown by a row writer for one write; the transaction turns it into TransactionFailed. */
export class WriteRejected extends DomainError {
  constructor(
    readonly code: WriteRejection,
    readonly reason: string,
  ) {
    super(reason, {});
  }
}

/**
 * The transaction was rolled back because of one operation (or could not commit): everything it did
 * is undone. Keeps the cause's code (and so its status) and its details, plus which operation failed.
 */
export class TransactionFailed extends DomainError {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    details: {
      transaction_id: string;
      status: 'rolled_back' | 'unknown';
      failed_operation: number | null;
      reason: string;
    } & Record<string, unknown>,
  ) {
    super(message, details);
  }
}
