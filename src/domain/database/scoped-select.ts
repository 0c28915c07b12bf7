import { buildQuerySpec, type QuerySpec, type RawQuery } from './query-spec';
import type { RowScope } from './row-scope';
import { ownerRuleOf, type OwnerRule } from './owner-rule';
import { ownershipOf } from './table-policy';
import type { SchemaSnapshot, TableSchema } from './table-schema';

/** The condition row scoping adds to a select: the same rule writes obey. */
export type RowFilter = OwnerRule;

/** A validated select plus whose rows it may see: what a TableReader runs. */
export interface ScopedSelect {
  spec: QuerySpec;
  table: TableSchema;
  rowFilter: RowFilter;
  /** Also count every matching row (pagination.total). */
  count: boolean;
  /** Tables whose writes can change the result: the table, and the parent its scoping reads. */
  dependsOn: string[];
}

const visibleByScope = new WeakMap<SchemaSnapshot, SchemaSnapshot>();

/**
 * The schema as a caller may name it. A non-admin does not see tables without an ownership rule at
 * all, so asking for one fails exactly like asking for a table that does not exist.
 */
export function schemaVisibleTo(schema: SchemaSnapshot, scope: RowScope): SchemaSnapshot {
  if (scope.kind === 'all') return schema;
  let visible = visibleByScope.get(schema);
  if (!visible) {
    const tables = new Map([...schema.tables].filter(([, table]) => ownershipOf(table, schema.tables) !== null));
    visible = { tables };
    visibleByScope.set(schema, visible);
  }
  return visible;
}

/** Builds the spec against what the caller may see, and the scoping condition for its table. */
export function scopedSelect(raw: RawQuery, schema: SchemaSnapshot, scope: RowScope, count: boolean): ScopedSelect {
  const spec = buildQuerySpec(raw, schemaVisibleTo(schema, scope));
  const table = schema.tables.get(spec.table) as TableSchema;
  const rowFilter = rowFilterOf(table, schema, scope);
  const dependsOn = rowFilter.kind === 'parent' ? [table.name, rowFilter.parentTable] : [table.name];
  return { spec, table, rowFilter, count, dependsOn };
}

/** Only called for tables schemaVisibleTo let through, so a non-admin always finds a rule. */
function rowFilterOf(table: TableSchema, schema: SchemaSnapshot, scope: RowScope): RowFilter {
  const rule = ownerRuleOf(table, schema, scope);
  if (!rule) throw new Error(`no ownership rule for ${table.name}`);
  return rule;
}
