import type { Filter } from '../../domain/database/query-spec';
import type { OwnerRule } from '../../domain/database/owner-rule';
import { castType, ident as quote } from './pg-sql-text';

/** The WHERE pieces reads and writes share: filters and the owner rule, on the alias `t`. */

/** Collects bound parameters and hands back their `$n` placeholders, cast when a type is given. */
export class Params {
  readonly values: unknown[] = [];

  bind(value: unknown, type?: string): string {
    this.values.push(value);
    return type ? `$${this.values.length}::${castType(type)}` : `$${this.values.length}`;
  }
}

const COMPARISONS = { eq: '=', neq: '<>', gt: '>', gte: '>=', lt: '<', lte: '<=' } as const;

export function filterSql(filter: Filter, type: string, params: Params): string {
  const column = `t.${quote(filter.column)}`;
  switch (filter.operator) {
    case 'is_null':
      return `${column} IS ${filter.value ? '' : 'NOT '}NULL`;
    case 'in':
      return `${column} = ANY(${params.bind(filter.value, `${castType(type)}[]`)})`;
    case 'like':
    case 'ilike':
      // Matched as text, so a pattern also works on uuid, numeric or timestamp columns.
      return `${column}::text ${filter.operator === 'like' ? 'LIKE' : 'ILIKE'} ${params.bind(filter.value, 'text')}`;
    default:
      return `${column} ${COMPARISONS[filter.operator]} ${params.bind(filter.value, type)}`;
  }
}

/** The condition a row (alias `t`) must meet for the caller to see or change it; null for an admin. */
export function ownedSql(owner: OwnerRule, params: Params): string | null {
  switch (owner.kind) {
    case 'none':
      return null;
    case 'column':
      return `t.${quote(owner.column)} = ${params.bind(owner.userId, owner.type)}`;
    case 'parent':
      return (
        `EXISTS (SELECT 1 FROM ${quote(owner.parentTable)} p WHERE p.${quote(owner.parentKey)} = t.${quote(owner.column)}` +
        ` AND p.${quote(owner.parentOwnerColumn)} = ${params.bind(owner.userId, owner.ownerType)})`
      );
  }
}

