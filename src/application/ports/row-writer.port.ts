import type { RowWrite } from '../../domain/database/row-write';
import type { DatabaseSession } from './database-session.port';

export type Row = Record<string, unknown>;

/**
 * Runs validated writes inside a session's open transaction. Rows are scoped by the write's owner
 * rule (an admin's writes are not); values are bound and cast to their column's type. A write the data or the rights refuse
 * throws WriteRejected (nothing of it applied); a lost connection throws DatabaseUnavailable.
 */
export interface RowWriter {
  /** The affected rows as RETURNING gives them, with the write's `returning` columns only. */
  write(session: DatabaseSession, write: RowWrite): Promise<Row[]>;
  /**
   * Runs `work` inside a savepoint of the session's open transaction: if it throws, what it wrote is
   * undone and the transaction stays usable (an interactive transaction on a lease outlives one request).
   */
  withinSavepoint<T>(session: DatabaseSession, work: () => Promise<T>): Promise<T>;
}
