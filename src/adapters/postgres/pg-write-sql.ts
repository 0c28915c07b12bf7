import type { OwnerRule } from '../../domain/database/owner-rule';
import type { RowWrite } from '../../domain/database/row-write';
import { ident as quote, type SqlStatement } from './pg-sql-text';
import { filterSql, ownedSql, Params } from './pg-conditions';

/** The WHERE of an update or delete: the request's filters and the owner rule, on the alias `t`. */
export function whereOf(write: RowWrite, params: Params): string {
  const typeOf = (column: string) => write.table.columns.get(column)?.type ?? 'text';
  const conditions = write.filters.map((filter) => filterSql(filter, typeOf(filter.column), params));
  const owned = ownedSql(write.owner, params);
  if (owned) conditions.push(owned);
  return conditions.join(' AND ');
}

/** Whether a parent row exists and is the caller's, locked until the transaction ends so it stays so. */
export function ownedParentSql(owner: Extract<OwnerRule, { kind: 'parent' }>, parentId: unknown): SqlStatement {
  const params = new Params();
  const text =
    `SELECT 1 FROM ${quote(owner.parentTable)} p WHERE p.${quote(owner.parentKey)} = ${params.bind(parentId, owner.parentKeyType)}` +
    ` AND p.${quote(owner.parentOwnerColumn)} = ${params.bind(owner.userId, owner.ownerType)} FOR SHARE`;
  return { text, values: params.values };
}

/** The statement of one write, RETURNING its visible columns. */
export function writeSql(write: RowWrite): SqlStatement {
  const params = new Params();
  const table = `${quote(write.table.name)} AS t`;
  const returning = ` RETURNING ${write.returning.map((c) => `t.${quote(c)}`).join(', ')}`;
  const typeOf = (column: string) => write.table.columns.get(column)?.type ?? 'text';
  const columns = Object.keys(write.values);
  const bindValue = (column: string) => params.bind(write.values[column], typeOf(column));
  switch (write.kind) {
    case 'insert':
    case 'upsert': {
      const insert = `INSERT INTO ${table} (${columns.map(quote).join(', ')}) VALUES (${columns.map(bindValue).join(', ')})`;
      if (write.kind === 'insert') return { text: insert + returning, values: params.values };
      const conflict = new Set(write.conflictColumns);
      const updated = columns.filter((c) => !conflict.has(c));
      // Setting a conflict column to itself changes nothing but still makes RETURNING give the row.
      const set = (updated.length > 0 ? updated : write.conflictColumns.slice(0, 1)).map((c) => `${quote(c)} = EXCLUDED.${quote(c)}`);
      const owned = ownedSql(write.owner, params);
      const text = `${insert} ON CONFLICT (${write.conflictColumns.map(quote).join(', ')}) DO UPDATE SET ${set.join(', ')}${owned ? ` WHERE ${owned}` : ''}`;
      return { text: text + returning, values: params.values };
    }
    case 'update': {
      const set = columns.map((c) => `${quote(c)} = ${bindValue(c)}`).join(', ');
      return { text: `UPDATE ${table} SET ${set} WHERE ${whereOf(write, params)}${returning}`, values: params.values };
    }
    case 'delete':
      return { text: `DELETE FROM ${table} WHERE ${whereOf(write, params)}${returning}`, values: params.values };
  }
}
