import type { PoolClient } from 'pg';
import type { RestrictedSqlRequest, RestrictedSqlResult, RestrictedSqlRunner, ResultColumn } from '../../application/ports/restricted-sql-runner.port';
import { QueryTimeout, SqlExecutionFailed, SqlNotAllowed, SqlPermissionDenied, SqlRoleUnavailable } from '../../domain/database/restricted-sql/errors';
import { RESTRICTED_SQL_LIMITS } from '../../domain/database/restricted-sql/limits';
import { READER_ROLE } from '../../domain/database/restricted-sql/reader-role';
import { translatePgError } from './pg-error-translator';
import { readerGrantsFor } from './pg-reader-role-grants';
import type { PgSqlDatabase } from './pg-sql-database';

const CURSOR_PREFIX = 'DECLARE vb_restricted_sql NO SCROLL CURSOR FOR\n';

interface PgError {
  code?: string;
  message?: string;
  position?: string;
}

/**
 * Layers 2 and 3 of restricted SQL over the pg pool: `BEGIN READ ONLY`, bounded statement_timeout
 * and work_mem, a search_path that puts pg_catalog first (no shadowing of built-ins), then
 * `SET LOCAL ROLE vb_sql_reader`, whose grants decide what is readable; always rolled back. A query
 * is read through a cursor, max_rows + 1 rows at most, so a huge result is never loaded. Values come
 * out as pg parses them, as the structured query's do (timestamps as Date, bigint and numeric as
 * strings, json parsed, bytea as a Buffer).
 */
export class PgRestrictedSqlRunner implements RestrictedSqlRunner {
  private readonly typeNames = new Map<number, string>();

  constructor(private readonly db: PgSqlDatabase) {}

  async run(request: RestrictedSqlRequest): Promise<RestrictedSqlResult> {
    const timeoutMs = Math.max(1, Math.floor(request.timeoutMs));
    return this.db.withClient(async (client) => {
      await client.query(
        `BEGIN READ ONLY; SET LOCAL statement_timeout = ${timeoutMs}; SET LOCAL work_mem = '${RESTRICTED_SQL_LIMITS.workMem}'; SET LOCAL search_path = pg_catalog, public`,
      );
      try {
        await this.becomeReader(client);
        return await this.execute(client, request, timeoutMs);
      } finally {
        await client.query('ROLLBACK');
      }
    });
  }

  private async becomeReader(client: PoolClient): Promise<void> {
    const { rows } = await client.query<{ usable: boolean; me: string }>(
      `SELECT CASE WHEN EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1) THEN pg_has_role(current_user, $1, 'MEMBER') ELSE false END AS usable,
              current_user AS me`,
      [READER_ROLE],
    );
    if (!rows[0]?.usable) throw new SqlRoleUnavailable(READER_ROLE, await readerGrantsFor(client, rows[0]?.me ?? 'service_user'));
    await client.query(`SET LOCAL ROLE ${READER_ROLE}`);
  }

  private async execute(client: PoolClient, request: RestrictedSqlRequest, timeoutMs: number): Promise<RestrictedSqlResult> {
    const cursor = request.kind === 'select';
    try {
      let result;
      if (cursor) {
        await client.query({ text: CURSOR_PREFIX + request.sql, values: [...request.params] });
        result = await client.query({ text: `FETCH FORWARD ${request.maxRows + 1} FROM vb_restricted_sql`, rowMode: 'array' });
      } else {
        result = await client.query({ text: request.sql, values: [...request.params], rowMode: 'array' });
      }
      const rows = result.rows as unknown[][];
      const truncated = rows.length > request.maxRows;
      const columns = await this.columnsOf(client, result.fields);
      return { columns, rows: truncated ? rows.slice(0, request.maxRows) : rows, truncated };
    } catch (error) {
      throw translate(error, timeoutMs, cursor ? CURSOR_PREFIX.length : 0);
    }
  }

  /** Type names by OID, looked up once per OID (the catalog is readable by every role). */
  private async columnsOf(client: PoolClient, fields: ReadonlyArray<{ name: string; dataTypeID: number }>): Promise<ResultColumn[]> {
    const unknown = [...new Set(fields.map((f) => f.dataTypeID).filter((oid) => !this.typeNames.has(oid)))];
    if (unknown.length) {
      const { rows } = await client.query<{ oid: number; name: string }>('SELECT oid::int AS oid, format_type(oid, NULL) AS name FROM pg_type WHERE oid = ANY($1::oid[])', [unknown]);
      for (const row of rows) this.typeNames.set(row.oid, row.name);
    }
    return fields.map((f) => ({ name: f.name, type: this.typeNames.get(f.dataTypeID) ?? `oid ${f.dataTypeID}` }));
  }
}

function translate(error: unknown, timeoutMs: number, prefixLength: number): unknown {
  const e = error as PgError;
  if (e?.code === '57014') return new QueryTimeout(timeoutMs);
  if (e?.code === '42501') return new SqlPermissionDenied(e.message ?? 'permission denied');
  if (e?.code === '25006') return new SqlNotAllowed('a write', 'the statement tried to change data in a read-only transaction');
  const translated = translatePgError(error);
  if (translated !== error || typeof e?.code !== 'string' || !/^[0-9A-Z]{5}$/.test(e.code)) return translated;
  const position = e.position ? Number(e.position) - prefixLength : null;
  return new SqlExecutionFailed(e.message ?? 'the statement failed', e.code, position !== null && position > 0 ? position : null);
}
