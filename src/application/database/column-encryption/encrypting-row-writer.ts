import type { RowWrite } from '../../../domain/database/row-write';
import type { DatabaseSession } from '../../ports/database-session.port';
import type { Row, RowWriter } from '../../ports/row-writer.port';
import type { ColumnCodec } from './column-codec';

/**
 * A RowWriter that encrypts the values of encrypted columns (and writes their blind index), filters
 * and upserts on them through the blind index, and decrypts the rows RETURNING gives back.
 */
export class EncryptingRowWriter implements RowWriter {
  constructor(
    private readonly inner: RowWriter,
    private readonly codec: ColumnCodec,
  ) {}

  async write(session: DatabaseSession, write: RowWrite): Promise<Row[]> {
    if (!write.table.encrypted) return this.inner.write(session, write);
    const stored: RowWrite = {
      ...write,
      values: this.codec.encodeValues(write.table, write.values),
      filters: this.codec.storedFilters(write.table, write.filters, `operations.${write.operation}.filters`),
      conflictColumns: this.codec.storedConflictColumns(write.table, write.conflictColumns),
    };
    return this.codec.decodeRows(write.table, await this.inner.write(session, stored));
  }

  withinSavepoint<T>(session: DatabaseSession, work: () => Promise<T>): Promise<T> {
    return this.inner.withinSavepoint(session, work);
  }
}
