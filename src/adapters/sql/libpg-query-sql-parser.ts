import type * as LibpgQuery from 'libpg-query';
import type { SqlParser } from '../../application/ports/sql-parser.port';
import { SqlSyntaxError } from '../../domain/database/restricted-sql/errors';
import type { SqlNode, SqlValue } from '../../domain/database/restricted-sql/sql-tree';

/**
 * libpg-query (17.x): PostgreSQL 17's parser compiled to WebAssembly, so it installs without a
 * native build or a download and parses the syntax of every server this service supports (15–17).
 * Its JSON wraps each node as `{ Kind: fields }`; that becomes `{ kind, fields }`.
 */
export class LibpgQuerySqlParser implements SqlParser {
  private static ready: Promise<typeof LibpgQuery> | null = null;

  async parse(sql: string): Promise<SqlNode[]> {
    LibpgQuerySqlParser.ready ??= loadLibpgQuery();
    const { parseSync } = await LibpgQuerySqlParser.ready;
    if (sql.trim() === '') return [];
    let tree: { stmts?: Array<{ stmt: unknown }> };
    try {
      tree = parseSync(sql) as typeof tree;
    } catch (error) {
      throw syntaxError(error);
    }
    return (tree.stmts ?? []).map(({ stmt }) => toValue(stmt) as SqlNode);
  }
}

/**
 * Required on first use, not imported: libpg-query's module body starts compiling its 1.1 MB of WASM
 * the moment it is loaded, unawaited. Imported eagerly, every process that wires the container paid
 * for a compilation it might never use, and one that exited meanwhile (a Jest worker told to stop)
 * sat in that compilation past Jest's grace period and was killed ("failed to exit gracefully").
 */
async function loadLibpgQuery(): Promise<typeof LibpgQuery> {
  const libpgQuery = require('libpg-query') as typeof LibpgQuery;
  await libpgQuery.loadModule();
  return libpgQuery;
}

function syntaxError(error: unknown): SqlSyntaxError {
  const e = error as { message?: string; sqlDetails?: { message?: string; cursorPosition?: number } };
  const cursor = e.sqlDetails?.cursorPosition;
  // libpg_query counts from 0; PostgreSQL (and psql's "LINE 1: … ^") from 1.
  return new SqlSyntaxError(e.sqlDetails?.message ?? e.message ?? 'syntax error', typeof cursor === 'number' && cursor >= 0 ? cursor + 1 : null);
}

function toValue(value: unknown): SqlValue {
  if (Array.isArray(value)) return value.map(toValue);
  if (value === null || typeof value !== 'object') return value as SqlValue;
  const entries = Object.entries(value as Record<string, unknown>);
  const [first] = entries;
  if (entries.length === 1 && first && /^[A-Z]/.test(first[0]) && isPlainObject(first[1])) {
    return { kind: first[0], fields: fieldsOf(first[1]) };
  }
  return { kind: '', fields: fieldsOf(value as Record<string, unknown>) };
}

function fieldsOf(object: Record<string, unknown>): Record<string, SqlValue> {
  return Object.fromEntries(Object.entries(object).map(([key, v]) => [key, toValue(v)]));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
