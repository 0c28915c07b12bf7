import { DomainError } from '../../domain/shared/domain-error';
import { Conflict, DatabaseTimeout, DatabaseUnavailable, ValidationFailed } from '../../domain/shared/errors';

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'EAI_AGAIN']);

/**
 * pg's errors, translated at the boundary: SQLSTATE classes 08 (connection) and 57P (shutdown) and
 * socket errors mean the database is unavailable; a connect or statement timeout is a timeout.
 * Anything else is returned untouched, for the caller to treat as unexpected.
 */
export function translatePgError(error: unknown): unknown {
  if (error instanceof DomainError) return error;
  const e = error as { code?: string; message?: string; constraint?: string };
  const message = e?.message ?? '';
  if (/timeout exceeded when trying to connect|Connection terminated due to connection timeout/i.test(message)) {
    return new DatabaseTimeout('Timed out connecting to the database', { database: 'postgresql' });
  }
  if (e?.code === '57014') return new DatabaseTimeout('The database statement timed out', { database: 'postgresql' });
  if (
    (e?.code && (CONNECTION_CODES.has(e.code) || e.code.startsWith('08') || e.code.startsWith('57P'))) ||
    /Connection terminated|connection is closed|Client has encountered a connection error/i.test(message)
  ) {
    return new DatabaseUnavailable('Unable to reach the database', { database: 'postgresql' });
  }
  // 22021 (a NUL in text), 22P05 (a \u0000 escape in JSONB): a value from the client
  // PostgreSQL cannot store. The HTTP edge refuses them first; this keeps any other path from a 500.
  if (e?.code === '22021' || e?.code === '22P05') {
    return new ValidationFailed('A value holds a character PostgreSQL cannot store (NUL)', [{ path: 'body', message: 'unstorable character' }]);
  }
  if (e?.code === '23505') return new Conflict('A row with the same unique value already exists', { constraint: e.constraint ?? null });
  return error;
}
