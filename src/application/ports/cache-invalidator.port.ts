/**
 * Makes every cached read of the given tables unreachable. Called after a write commits and before
 * its response is sent, so a read after a write never sees the old rows (on any instance).
 */
export interface CacheInvalidator {
  invalidate(tables: readonly string[]): Promise<void>;
}
