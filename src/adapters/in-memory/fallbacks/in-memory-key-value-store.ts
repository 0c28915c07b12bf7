import type { Clock } from '../../../application/ports/clock.port';
import type { KeyValueKind, KeyValueStats, KeyValueStore } from '../../../application/ports/key-value-store.port';

interface Entry {
  /** A string, or a hash's fields. */
  value: string | Map<string, string>;
  expiresAt: number | null;
}

/** Redis's own words for a command on a key of the other kind, so callers see one error either way. */
const WRONG_KIND = 'WRONGTYPE Operation against a key holding the wrong kind of value';

/**
 * The embedded stand-in for Redis (single process) and the fake unit tests use. Expiry is lazy:
 * an expired key is dropped when next read, plus a periodic sweep so memory does not grow unbounded.
 */
export class InMemoryKeyValueStore implements KeyValueStore {
  private readonly entries = new Map<string, Entry>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly clock: Clock = { now: () => new Date() }) {
    this.sweeper = setInterval(() => this.sweep(), 60_000);
    this.sweeper.unref();
  }

  async get(key: string): Promise<string | null> {
    const entry = this.live(key);
    if (!entry) return null;
    if (typeof entry.value !== 'string') throw new Error(WRONG_KIND);
    return entry.value;
  }

  async kindOf(key: string): Promise<KeyValueKind> {
    const entry = this.live(key);
    if (!entry) return 'none';
    return typeof entry.value === 'string' ? 'string' : 'hash';
  }

  async hgetall(key: string): Promise<Record<string, string>> {
    const entry = this.live(key);
    if (!entry) return {};
    if (typeof entry.value === 'string') throw new Error(WRONG_KIND);
    return Object.fromEntries(entry.value);
  }

  async set(key: string, value: string, ttlSeconds?: number): Promise<void> {
    this.entries.set(key, { value, expiresAt: ttlSeconds ? this.now() + ttlSeconds * 1000 : null });
  }

  async hset(key: string, fields: Record<string, string>): Promise<number> {
    const entry = this.live(key);
    if (entry && typeof entry.value === 'string') throw new Error(WRONG_KIND);
    const hash = (entry?.value as Map<string, string> | undefined) ?? new Map<string, string>();
    let added = 0;
    for (const [field, value] of Object.entries(fields)) {
      if (!hash.has(field)) added++;
      hash.set(field, value);
    }
    this.entries.set(key, { value: hash, expiresAt: entry?.expiresAt ?? null });
    return added;
  }

  /**
   * Not on the port: the outbox's in-process applier needs these, Redis gets them from its Lua script.
   * As in Redis, a hash left with no field is no key at all.
   */
  async hdel(key: string, fields: readonly string[]): Promise<number> {
    const entry = this.live(key);
    if (!entry) return 0;
    if (typeof entry.value === 'string') throw new Error(WRONG_KIND);
    const hash = entry.value;
    const removed = fields.filter((field) => hash.delete(field)).length;
    if (hash.size === 0) this.entries.delete(key);
    return removed;
  }

  async expire(key: string, ttlSeconds: number): Promise<boolean> {
    const entry = this.live(key);
    if (!entry) return false;
    entry.expiresAt = this.now() + ttlSeconds * 1000;
    return true;
  }

  async del(key: string): Promise<number> {
    return this.live(key) && this.entries.delete(key) ? 1 : 0;
  }

  async incr(key: string): Promise<number> {
    const entry = this.live(key);
    if (entry && typeof entry.value !== 'string') throw new Error(WRONG_KIND);
    const current = entry ? Number(entry.value) : 0;
    if (!Number.isInteger(current)) throw new Error('value is not an integer');
    const next = current + 1;
    this.entries.set(key, { value: String(next), expiresAt: entry?.expiresAt ?? null });
    return next;
  }

  async ttl(key: string): Promise<number> {
    const entry = this.live(key);
    if (!entry) return -2;
    if (entry.expiresAt === null) return -1;
    return Math.ceil((entry.expiresAt - this.now()) / 1000);
  }

  async stats(): Promise<KeyValueStats> {
    let bytes = 0;
    for (const [key, entry] of this.entries) bytes += (key.length + sizeOf(entry.value)) * 2;
    return { mode: 'in_process', usedMemoryBytes: bytes };
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
  }

  private live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry?.expiresAt !== undefined && entry.expiresAt !== null && entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private sweep(): void {
    for (const key of [...this.entries.keys()]) this.live(key);
  }

  private now(): number {
    return this.clock.now().getTime();
  }
}

function sizeOf(value: Entry['value']): number {
  if (typeof value === 'string') return value.length;
  let length = 0;
  for (const [field, v] of value) length += field.length + v.length;
  return length;
}
