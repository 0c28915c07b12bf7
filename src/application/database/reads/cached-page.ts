import type { SelectResult } from '../../ports/table-reader.port';
import type { StoredForm } from './read-cache';

/**
 * A page of rows in the form the read cache keeps: the rows serialized once, as a JSON array, and
 * their total. A cache hit hands the text on as is, so the rows are never parsed and re-serialized
 * on their way to the caller.
 */
export interface CachedPage {
  /** The page's rows as a JSON array. */
  readonly rowsJson: string;
  /** Every row the query matches, when counted; null otherwise. */
  readonly total: number | null;
}

export function cachedPageOf(result: SelectResult): CachedPage {
  return { rowsJson: JSON.stringify(result.rows), total: result.total };
}

/**
 * A page as stored: `[total,rows]`, one JSON document, from which the rows' text is cut out rather
 * than parsed. `name` goes into the cache key, so an entry of another form never matches: change it
 * whenever the form changes.
 */
export const CACHED_PAGE_FORM: StoredForm<CachedPage> & { name: string } = {
  name: 'total-rows',
  encode: (page) => `[${JSON.stringify(page.total)},${page.rowsJson}]`,
  decode: (text) => {
    const comma = text.indexOf(',');
    const total = text.slice(1, comma);
    return { rowsJson: text.slice(comma + 1, -1), total: total === 'null' ? null : Number(total) };
  },
};
