import type { PoolClient } from 'pg';
import type { DatabaseSession } from '../../application/ports/database-session.port';
import type { Row, RowWriter } from '../../application/ports/row-writer.port';
import type { RowWrite } from '../../domain/database/row-write';
import { WriteRejected, type WriteRejection } from '../../domain/database/transaction-errors';
import { pgClientOf } from './pg-database-session';
import { translatePgError } from './pg-error-translator';
import { ownedParentSql, writeSql } from './pg-write-sql';

/** RowWriter over a pg session's open transaction. Only the pg adapter family's sessions are accepted. */
export class PgRowWriter implements RowWriter {
  async write(session: DatabaseSession, write: RowWrite): Promise<Row[]> {
    const client = pgClientOf(session);
    try {
      await this.checkParent(client, write);
      const sql = writeSql(write);
      const { rows } = await client.query<Row>(sql.text, sql.values);
      if (write.kind === 'upsert' && rows.length === 0) {
        // ON CONFLICT ... WHERE refused the update: the row holding that key is someone else's. Saying
        // so would tell the caller whose it is; the plain INSERT fails exactly as an insert of that key
        // would (the transaction is rolled back either way), so an upsert reveals no more than an insert.
        // Should the row have gone meanwhile, the insert succeeds, which is what the upsert asked for.
        const insert = writeSql({ ...write, kind: 'insert' });
        return (await client.query<Row>(insert.text, insert.values)).rows;
      }
      return rows;
    } catch (error) {
      throw rejection(error);
    }
  }

  async withinSavepoint<T>(session: DatabaseSession, work: () => Promise<T>): Promise<T> {
    const client = pgClientOf(session);
    await run(client, 'SAVEPOINT vb_data_transaction');
    let result: T;
    try {
      result = await work();
    } catch (error) {
      await run(client, 'ROLLBACK TO SAVEPOINT vb_data_transaction').catch(() => undefined);
      await run(client, 'RELEASE SAVEPOINT vb_data_transaction').catch(() => undefined);
      throw error;
    }
    await run(client, 'RELEASE SAVEPOINT vb_data_transaction');
    return result;
  }

  /** A non-admin's new or moved child row must hang under a parent of theirs. */
  private async checkParent(client: PoolClient, write: RowWrite): Promise<void> {
    if (write.owner.kind !== 'parent' || write.kind === 'delete') return;
    const parentId = write.values[write.owner.column];
    if (parentId === undefined) return;
    const sql = ownedParentSql(write.owner, parentId);
    const { rowCount } = await client.query(sql.text, sql.values);
    if (!rowCount) {
      throw new WriteRejected('PARENT_NOT_FOUND', `no ${write.owner.parentTable} row ${String(parentId)} of yours (${write.owner.column})`);
    }
  }
}

async function run(client: PoolClient, sql: string): Promise<void> {
  try {
    await client.query(sql);
  } catch (error) {
    throw rejection(error);
  }
}

/** SQLSTATE → why the write was refused; connection failures and timeouts keep their own errors. */
function rejection(error: unknown): unknown {
  if (error instanceof WriteRejected) return error;
  const code = String((error as { code?: unknown })?.code ?? '');
  const message = (error as Error)?.message ?? String(error);
  const as = (kind: WriteRejection) => new WriteRejected(kind, message);
  if (code === '25P02') return as('TRANSACTION_ABORTED');
  // A referenced row kept from being deleted is a conflict; a reference to no row is bad data.
  if (code === '23503') return as(/^update or delete on table/.test(message) ? 'CONFLICT' : 'INVALID_DATA');
  if (['23505', '23P01', '40001', '40P01'].includes(code)) return as('CONFLICT');
  // Class 22 (bad syntax for the type, too long, out of range), NOT NULL, CHECK, an operator the
  // column's type lacks (a `gt` on a json column): the request's data, not the service, is wrong.
  if (code.startsWith('22') || ['23502', '23514', '42883', '42804'].includes(code)) return as('INVALID_DATA');
  return translatePgError(error);
}
