/**
 * A PostgreSQL raw parse tree, as small as the restricted-SQL policy needs: each node is its
 * parser node kind (`SelectStmt`, `FuncCall`, …, PostgreSQL's own names from parsenodes.h) and its
 * fields. Every packaging of the real parser emits these names, so the policy does not depend on
 * one npm package; an unnamed struct (a select's `intoClause`, a `WindowDef`) has kind ''.
 */
export type SqlValue = string | number | boolean | null | SqlNode | readonly SqlValue[];

export interface SqlNode {
  readonly kind: string;
  readonly fields: Readonly<Record<string, SqlValue>>;
}

export function isNode(value: SqlValue | undefined): value is SqlNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every node of the tree, depth first, the root included. */
export function* walk(node: SqlNode): Generator<SqlNode> {
  yield node;
  for (const value of Object.values(node.fields)) yield* walkValue(value);
}

function* walkValue(value: SqlValue): Generator<SqlNode> {
  if (Array.isArray(value)) for (const item of value as readonly SqlValue[]) yield* walkValue(item);
  else if (isNode(value)) yield* walk(value);
}

/** A qualified name (`funcname`, `names`) as its parts: [`pg_catalog`, `now`]. */
export function nameParts(value: SqlValue | undefined): string[] {
  if (!Array.isArray(value)) return [];
  return (value as readonly SqlValue[]).flatMap((part) => (isNode(part) && typeof part.fields.sval === 'string' ? [part.fields.sval] : []));
}
