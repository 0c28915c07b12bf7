import { ColumnKeyMissing, ColumnValueCorrupt, type ColumnCipher } from '../../../domain/crypto/column-cipher';
import { EncryptedColumnCorrupt, EncryptedColumnKeyUnavailable, EncryptedColumnNotSearchable } from '../../../domain/database/encrypted-columns';
import type { Filter, Scalar, SortKey } from '../../../domain/database/query-spec';
import type { TableSchema } from '../../../domain/database/table-schema';

type Row = Record<string, unknown>;

/**
 * What the gateway does to an encrypted column's values on their way to and from PostgreSQL:
 * values are encrypted and their blind index added, equality filters become blind index filters,
 * other searches are refused, and rows read back are decrypted. Tables without encrypted columns
 * pass through untouched.
 */
export class ColumnCodec {
  constructor(private readonly cipher: ColumnCipher) {}

  /** The values to store: each encrypted column's ciphertext, and its blind index beside it. */
  encodeValues(table: TableSchema, values: Record<string, unknown>): Record<string, unknown> {
    const encrypted = table.encrypted;
    if (!encrypted) return values;
    const stored: Record<string, unknown> = {};
    for (const [column, value] of Object.entries(values)) {
      const spec = encrypted.get(column);
      if (!spec) {
        stored[column] = value;
        continue;
      }
      const plaintext = value === null || value === undefined ? null : textOf(value);
      const scope = `${table.name}.${column}`;
      stored[column] = plaintext === null ? null : this.cipher.encrypt(scope, plaintext);
      if (spec.blindIndex) stored[spec.blindIndex] = plaintext === null ? null : this.cipher.blindIndex(scope, plaintext);
    }
    return stored;
  }

  /** Filters as PostgreSQL can apply them to stored values; `path` names the request's filters in errors. */
  storedFilters(table: TableSchema, filters: readonly Filter[], path = 'filters'): Filter[] {
    const encrypted = table.encrypted;
    if (!encrypted) return [...filters];
    return filters.map((filter): Filter => {
      const spec = encrypted.get(filter.column);
      if (!spec || filter.operator === 'is_null') return filter; // ciphertext is NULL exactly when the value is
      const where = `${path}.${filter.column}.${filter.operator}`;
      if (!spec.blindIndex || !['eq', 'neq', 'in'].includes(filter.operator)) {
        throw new EncryptedColumnNotSearchable(table.name, filter.column, filter.operator, where);
      }
      const scope = `${table.name}.${filter.column}`;
      const index = (value: Scalar) => this.cipher.blindIndex(scope, textOf(value));
      if (filter.operator === 'in') return { column: spec.blindIndex, operator: 'in', value: filter.value.map(index) };
      return { column: spec.blindIndex, operator: filter.operator as 'eq' | 'neq', value: index(filter.value as Scalar) };
    });
  }

  /** Ciphertext has no order: sorting on it would leak nothing useful and mislead. */
  checkSort(table: TableSchema, sort: readonly SortKey[]): void {
    sort.forEach((key, i) => {
      if (table.encrypted?.has(key.column)) throw new EncryptedColumnNotSearchable(table.name, key.column, 'sort', `sort.${i}.column`);
    });
  }

  /** Conflict targets naming an encrypted column name its blind index, which holds the unique index. */
  storedConflictColumns(table: TableSchema, columns: readonly string[]): string[] {
    return columns.map((column) => table.encrypted?.get(column)?.blindIndex ?? column);
  }

  /** Decrypts the encrypted columns of rows read back, in place. */
  decodeRows<R extends Row>(table: TableSchema, rows: R[]): R[] {
    const encrypted = table.encrypted;
    if (!encrypted) return rows;
    for (const row of rows) {
      for (const column of encrypted.keys()) {
        const value = row[column];
        if (typeof value === 'string') (row as Row)[column] = this.decrypt(table.name, column, value);
      }
    }
    return rows;
  }

  private decrypt(table: string, column: string, stored: string): string {
    try {
      return this.cipher.decrypt(`${table}.${column}`, stored);
    } catch (error) {
      if (error instanceof ColumnKeyMissing) throw new EncryptedColumnKeyUnavailable(`${table}.${column}`, error.keyId);
      if (error instanceof ColumnValueCorrupt) throw new EncryptedColumnCorrupt(`${table}.${column}`);
      throw error;
    }
  }
}

/** A value as the text column would have stored it. */
function textOf(value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
}
