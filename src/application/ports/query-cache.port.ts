/**
 * The read cache's storage: per-table generation counters, and serialized results each stamped with
 * the generations they were read at. Every method fails (throws) when the store is unreachable; the
 * ReadCache decides what that means.
 */
export interface QueryCache {
  /** The current generation of each table, in the order asked. */
  generations(tables: readonly string[]): Promise<number[]>;
  /** Moves each table to a new generation, so results stamped with the old one are never returned again. */
  bump(tables: readonly string[]): Promise<void>;
  /**
   * In one round trip: the tables' current generations, and the value stored for `key` if, and only
   * if, it was stored at exactly those generations.
   */
  lookup(key: string, tables: readonly string[]): Promise<{ value: string | null; generations: number[] }>;
  /** Stores `value` for `key`, stamped with the generations it was read at. */
  store(key: string, generations: readonly number[], value: string, ttlSeconds: number): Promise<void>;
}
