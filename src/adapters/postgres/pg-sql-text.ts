/** How SQL text is written from catalog names and types: the one place identifiers are quoted. */

export interface SqlStatement {
  text: string;
  values: unknown[];
}

/** Identifiers come from the catalog only; quoting still doubles any quote, as PostgreSQL requires. */
export const ident = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/**
 * The type to cast a bound value to: the column's own, without its modifiers, because a cast to
 * `varchar(3)` or `numeric(3,2)` would silently truncate or round the value being compared.
 */
export function castType(type: string): string {
  const base = type.replace(/\(\s*\d+(\s*,\s*\d+)?\s*\)/g, '').replace(/\s+/g, ' ').trim();
  // Catalog text, never input; refusing anything unusual keeps it from ever becoming SQL by accident.
  if (!/^[A-Za-z0-9_ ."[\]]+$/.test(base)) throw new Error(`unexpected column type ${JSON.stringify(type)}`);
  return base;
}

