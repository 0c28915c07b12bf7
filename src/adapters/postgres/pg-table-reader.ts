import type { PoolClient } from 'pg';
import type { DatabaseSession } from '../../application/ports/database-session.port';
import type { Row, SelectResult, TableReader } from '../../application/ports/table-reader.port';
import type { ScopedSelect } from '../../domain/database/scoped-select';
import { ValidationFailed, type ValidationIssue } from '../../domain/shared/errors';
import { pgClientOf } from './pg-database-session';
import { translatePgError } from './pg-error-translator';
import { PgPreparedStatements } from './pg-prepared-statements';
import { buildSelectSql, TOTAL_COLUMN, type SelectSql } from './pg-select-sql';
import { castType, type SqlStatement } from './pg-sql-text';
import type { PgSqlDatabase } from './pg-sql-database';

const sqlState = (error: unknown): string => String((error as { code?: unknown })?.code ?? '');
/** SQLSTATE class 22: the data itself is wrong (bad uuid, number out of range, bad date, bad pattern). */
const isDataException = (error: unknown) => sqlState(error).startsWith('22');
/** 42883 / 42804: an operator or ordering the column's type does not have (e.g. < on a json column). */
const isTypeMismatch = (error: unknown) => ['42883', '42804'].includes(sqlState(error));

/** TableReader over the pg pool, or over a lease's connection when given its session. */
export class PgTableReader implements TableReader {
  constructor(
    private readonly db: PgSqlDatabase,
    private readonly prepared = new PgPreparedStatements(),
  ) {}

  async select(query: ScopedSelect, session?: DatabaseSession): Promise<SelectResult> {
    const sql = buildSelectSql(query);
    try {
      // A lease's session may be inside a transaction, where a stale prepared plan would abort it: unnamed there.
      if (session) return await readPage(sql, (statement) => run(pgClientOf(session), statement));
      return await this.db.withClient((client) => readPage(sql, async (statement) => (await this.prepared.query<Row>(client, statement)).rows));
    } catch (error) {
      throw await this.translate(error, query);
    }
  }

  private async translate(error: unknown, query: ScopedSelect): Promise<unknown> {
    if (isDataException(error)) {
      const issue = (await this.locateBadValue(query)) ?? { path: 'filters', message: (error as Error).message };
      return new ValidationFailed('A filter value does not fit its column', [issue]);
    }
    if (isTypeMismatch(error)) {
      const path = /ordering operator/i.test((error as Error).message) ? 'sort' : 'filters';
      return new ValidationFailed("An operator or sort does not apply to the column's type", [{ path, message: (error as Error).message }]);
    }
    return translatePgError(error);
  }

  /**
   * PostgreSQL does not say which parameter it rejected, so each filter value is tried alone against
   * its column's type (only after a failure, on a pool connection, so a lease's transaction is not
   * touched further), and the first one refused is named.
   */
  private async locateBadValue(query: ScopedSelect): Promise<ValidationIssue | null> {
    for (const filter of query.spec.filters) {
      const path = `filters.${filter.column}.${filter.operator}`;
      if (filter.operator === 'is_null') continue;
      if (filter.operator === 'like' || filter.operator === 'ilike') {
        if (/(^|[^\\])(\\\\)*\\$/.test(String(filter.value))) return { path, message: 'a pattern must not end with the escape character \\' };
        continue;
      }
      const type = castType(query.table.columns.get(filter.column)?.type ?? 'text');
      const cast = filter.operator === 'in' ? `${type}[]` : type;
      try {
        await this.db.withClient((client) => client.query(`SELECT $1::${cast}`, [filter.value]));
      } catch (error) {
        if (isDataException(error)) return { path, message: (error as Error).message };
        throw translatePgError(error);
      }
    }
    return null;
  }
}

async function run(client: PoolClient, statement: SqlStatement): Promise<Row[]> {
  return (await client.query<Row>(statement.text, statement.values)).rows;
}

type Run = (statement: SqlStatement) => Promise<Row[]>;

/**
 * The page carries its total on every row, so one statement usually answers both; only a page past
 * the end (no rows, so no total) costs a second statement for the count.
 */
async function readPage(sql: SelectSql, run: Run): Promise<SelectResult> {
  const rows = await run(sql.page);
  if (!sql.count) return { rows, total: null };
  if (rows.length === 0) return { rows, total: Number((await run(sql.count))[0]?.total ?? 0) };
  const total = Number(rows[0]?.[TOTAL_COLUMN] ?? 0);
  for (const row of rows) delete row[TOTAL_COLUMN];
  return { rows, total };
}
