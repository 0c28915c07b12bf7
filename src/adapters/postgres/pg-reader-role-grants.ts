import type { PoolClient } from 'pg';
import { READABLE_TABLES, readerGrantStatements, type TableColumns } from '../../domain/database/restricted-sql/reader-role';

/**
 * The GRANTs that make vb_sql_reader usable by `serviceUser`, for the tables of READABLE_TABLES this
 * database holds, column by column as they are now: one builder for the 503 of POST /db/query and
 * for /db/status, so both tell an operator the same thing.
 */
export async function readerGrantsFor(client: PoolClient, serviceUser: string): Promise<string[]> {
  return readerGrantStatements(serviceUser, await readableTableColumns(client));
}

async function readableTableColumns(client: PoolClient): Promise<TableColumns[]> {
  const { rows } = await client.query<{ table: string; columns: string[] }>(
    `SELECT c.relname AS table, array_agg(a.attname::text ORDER BY a.attnum) AS columns
       FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
      WHERE c.relnamespace = 'public'::regnamespace AND c.relname = ANY($1) GROUP BY c.relname`,
    [READABLE_TABLES],
  );
  const byName = new Map(rows.map((r) => [r.table, r.columns]));
  return READABLE_TABLES.flatMap((table) => (byName.has(table) ? [{ table, columns: byName.get(table)! }] : []));
}
