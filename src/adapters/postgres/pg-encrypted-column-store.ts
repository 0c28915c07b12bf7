import type { PoolClient } from 'pg';
import type { NewAuditEntry } from '../../domain/audit/audit-entry';
import { CIPHERTEXT_PREFIX } from '../../domain/crypto/column-cipher';
import type {
  ColumnRewrite,
  ColumnUsage,
  CurrentForm,
  EncryptedColumnSet,
  EncryptedColumnStore,
  StoredColumns,
} from '../../application/ports/encrypted-column-store.port';
import type { AuditPayloads } from './pg-audit-log';
import { Params } from './pg-conditions';
import { ident } from './pg-sql-text';
import type { PgSqlDatabase } from './pg-sql-database';

/** EncryptedColumnStore over the pg pool; every name comes from the catalog, every value is bound. */
export class PgEncryptedColumnStore implements EncryptedColumnStore {
  constructor(
    private readonly db: PgSqlDatabase,
    /** Sources the audit entries of a batch (PgAuditLog); null: the trail is off. */
    private readonly audit: AuditPayloads | null = null,
  ) {}

  async nextStale(set: EncryptedColumnSet, current: CurrentForm, after: string | null, limit: number): Promise<StoredColumns[]> {
    const params = new Params();
    const key = `t.${ident(set.key.column)}`;
    const conditions = [staleSql(set, current, params)];
    if (after !== null) conditions.push(`${key} > ${params.bind(after, set.key.type)}`);
    const columns = storedColumns(set).map((c) => `t.${ident(c)}`);
    const text = `SELECT ${key}::text AS "__key", ${columns.join(', ')} FROM ${ident(set.table)} t WHERE ${conditions.join(' AND ')} ORDER BY ${key} LIMIT ${params.bind(limit)}`;
    const { rows } = await this.db.withClient((client) => client.query<Record<string, string | null>>(text, params.values));
    return rows.map(({ __key, ...values }) => ({ key: String(__key), values }));
  }

  async countStale(set: EncryptedColumnSet, current: CurrentForm): Promise<number> {
    const params = new Params();
    const text = `SELECT count(*)::int AS n FROM ${ident(set.table)} t WHERE ${staleSql(set, current, params)}`;
    const { rows } = await this.db.withClient((client) => client.query<{ n: number }>(text, params.values));
    return rows[0]?.n ?? 0;
  }

  async rewrite(set: EncryptedColumnSet, rewrites: readonly ColumnRewrite[], audit?: (rewrittenKeys: readonly string[]) => NewAuditEntry[]): Promise<number> {
    if (rewrites.length === 0) return 0;
    return this.db.withClient(async (client) => {
      await client.query('BEGIN');
      try {
        // The set_updated_at trigger leaves updated_at alone for this transaction (migration 20240131_005).
        await client.query(`SELECT set_config('vb.keep_updated_at', 'on', true)`);
        const rewritten: string[] = [];
        for (const rewrite of rewrites) if ((await rewriteRow(client, set, rewrite)) > 0) rewritten.push(rewrite.key);
        if (this.audit && audit && rewritten.length > 0) await client.query('SELECT audit_append($1::jsonb)', [this.audit.payload(audit(rewritten))]);
        await client.query('COMMIT');
        return rewritten.length;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }

  async usage(set: EncryptedColumnSet, current: CurrentForm): Promise<ColumnUsage[]> {
    return this.db.withClient(async (client) => {
      const usage: ColumnUsage[] = [];
      for (const column of set.columns) {
        const c = `t.${ident(column.column)}`;
        const params = new Params();
        const prefix = params.bind(CIPHERTEXT_PREFIX, 'text');
        const byKeyText =
          `SELECT CASE WHEN left(${c}, length(${prefix})) = ${prefix} THEN split_part(${c}, ':', 2) END AS key_id, count(*)::int AS n` +
          ` FROM ${ident(set.table)} t WHERE ${c} IS NOT NULL GROUP BY 1`;
        const { rows } = await client.query<{ key_id: string | null; n: number }>(byKeyText, params.values);
        let staleBlindIndexes = 0;
        if (column.blindIndex) {
          const indexParams = new Params();
          const staleText = `SELECT count(*)::int AS n FROM ${ident(set.table)} t WHERE ${staleIndexSql(column.column, column.blindIndex, current, indexParams)}`;
          staleBlindIndexes = (await client.query<{ n: number }>(staleText, indexParams.values)).rows[0]?.n ?? 0;
        }
        const byKey = Object.fromEntries(rows.filter((r) => r.key_id !== null).map((r) => [r.key_id as string, r.n]));
        const plaintext = rows.find((r) => r.key_id === null)?.n ?? 0;
        usage.push({ table: set.table, column: column.column, byKey, plaintext, staleBlindIndexes });
      }
      return usage;
    });
  }
}

function storedColumns(set: EncryptedColumnSet): string[] {
  return set.columns.flatMap((c) => (c.blindIndex ? [c.column, c.blindIndex] : [c.column]));
}

/** A row some of whose encrypted values or blind indexes are not in the current form. */
function staleSql(set: EncryptedColumnSet, current: CurrentForm, params: Params): string {
  const prefix = params.bind(current.ciphertextPrefix, 'text');
  const parts = set.columns.flatMap((column) => {
    const c = `t.${ident(column.column)}`;
    const value = `(${c} IS NOT NULL AND left(${c}, length(${prefix})) <> ${prefix})`;
    return column.blindIndex ? [value, `(${staleIndexSql(column.column, column.blindIndex, current, params)})`] : [value];
  });
  return `(${parts.join(' OR ')})`;
}

/** A blind index missing for a value, left for a NULL, or made with another index key. */
function staleIndexSql(column: string, blindIndex: string, current: CurrentForm, params: Params): string {
  const c = `t.${ident(column)}`;
  const b = `t.${ident(blindIndex)}`;
  const prefix = params.bind(current.blindIndexPrefix, 'text');
  return `(${c} IS NOT NULL AND (${b} IS NULL OR left(${b}, length(${prefix})) <> ${prefix})) OR (${c} IS NULL AND ${b} IS NOT NULL)`;
}

async function rewriteRow(client: PoolClient, set: EncryptedColumnSet, rewrite: ColumnRewrite): Promise<number> {
  const params = new Params();
  const assignments = Object.entries(rewrite.next).map(([column, value]) => `${ident(column)} = ${params.bind(value, 'text')}`);
  const unchanged = Object.entries(rewrite.expected).map(([column, value]) => `t.${ident(column)} IS NOT DISTINCT FROM ${params.bind(value, 'text')}`);
  const key = `t.${ident(set.key.column)} = ${params.bind(rewrite.key, set.key.type)}`;
  const text = `UPDATE ${ident(set.table)} AS t SET ${assignments.join(', ')} WHERE ${key} AND ${unchanged.join(' AND ')}`;
  return (await client.query(text, params.values)).rowCount ?? 0;
}
