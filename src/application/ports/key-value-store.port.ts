export interface KeyValueStats {
  /** Memory the store reports using, in bytes; null when it does not say. */
  usedMemoryBytes: number | null;
  /** "redis" for a server, "in_process" for the embedded stand-in. */
  mode: 'redis' | 'in_process';
}

/** What a key holds; `other` for the Redis types the data API neither reads nor writes (lists, sets...). */
export type KeyValueKind = 'none' | 'string' | 'hash' | 'other';

/**
 * Redis, or its in-process stand-in. Keys are relative to the adapter's configured prefix. A command
 * on a key of the wrong kind (get on a hash) fails with a plain Error, as Redis's WRONGTYPE does.
 */
export interface KeyValueStore {
  get(key: string): Promise<string | null>;
  kindOf(key: string): Promise<KeyValueKind>;
  /** Every field of a hash; {} when the key does not exist. */
  hgetall(key: string): Promise<Record<string, string>>;
  set(key: string, value: string, ttlSeconds?: number): Promise<void>;
  /** Sets fields of a hash (creating it, keeping its expiry); the number of fields that were new. */
  hset(key: string, fields: Record<string, string>): Promise<number>;
  del(key: string): Promise<number>;
  incr(key: string): Promise<number>;
  /** Remaining time to live in seconds; -1 when the key never expires, -2 when it does not exist. */
  ttl(key: string): Promise<number>;
  /** Round trip plus what the store says about itself. Throws when it is unreachable. */
  stats(): Promise<KeyValueStats>;
  close(): Promise<void>;
}
