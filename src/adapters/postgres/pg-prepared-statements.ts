import type { PoolClient, QueryResult, QueryResultRow } from 'pg';
import type { SqlStatement } from './pg-sql-text';

/** Process-wide: a name given to one text must never be given to another on any pooled connection. */
let lastName = 0;

/**
 * Names for repeated statement texts, so each pooled connection has PostgreSQL parse and plan a
 * query shape once and then only binds and executes it. Values are always bound, so the number of
 * shapes is bounded by what callers ask, not by their data; past `maxNames` shapes, statements run
 * unnamed, so neither this map nor the server's per-connection statements grow without limit.
 */
export class PgPreparedStatements {
  private names = new Map<string, string>();
  private issued = 0;

  constructor(private readonly maxNames = 100) {}

  async query<R extends QueryResultRow>(client: PoolClient, statement: SqlStatement): Promise<QueryResult<R>> {
    const name = this.nameOf(statement.text);
    if (name === null) return client.query<R>(statement.text, statement.values);
    try {
      return await client.query<R>({ name, text: statement.text, values: statement.values });
    } catch (error) {
      if (!isStalePlan(error)) throw error;
      // A migration changed a selected column's type under a statement prepared before it: the old
      // names are dropped (their statements are never used again), and this one runs unnamed.
      this.names = new Map();
      return client.query<R>(statement.text, statement.values);
    }
  }

  private nameOf(text: string): string | null {
    const known = this.names.get(text);
    if (known !== undefined) return known;
    if (this.issued >= this.maxNames) return null;
    this.issued += 1;
    lastName += 1;
    const name = `vb_stmt_${lastName}`;
    this.names.set(text, name);
    return name;
  }
}

/** SQLSTATE 0A000 "cached plan must not change result type": the table changed under a prepared statement. */
function isStalePlan(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown };
  return e?.code === '0A000' && /cached plan must not change result type/i.test(String(e.message ?? ''));
}
