import type { ScopedSelect } from '../../domain/database/scoped-select';
import type { DatabaseSession } from './database-session.port';

export type Row = Record<string, unknown>;

export interface SelectResult {
  rows: Row[];
  /** Every row the filters and scope match, when counted; null otherwise. */
  total: number | null;
}

/**
 * Runs a validated, scoped select. Values are bound, never spliced; a value the column's type
 * rejects (a malformed uuid) is a ValidationFailed naming the filter, not a server error.
 */
export interface TableReader {
  select(query: ScopedSelect, session?: DatabaseSession): Promise<SelectResult>;
}
