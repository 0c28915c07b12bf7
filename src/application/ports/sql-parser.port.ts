import type { SqlNode } from '../../domain/database/restricted-sql/sql-tree';

/**
 * PostgreSQL's own grammar, as a library: the text becomes the raw parse trees of its statements
 * (none for a text of only comments). Text the grammar refuses throws SqlSyntaxError with the
 * 1-based character position PostgreSQL reports.
 */
export interface SqlParser {
  parse(sql: string): Promise<SqlNode[]>;
}
