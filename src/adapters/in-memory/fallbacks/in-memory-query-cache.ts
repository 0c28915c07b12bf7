import type { Clock } from '../../../application/ports/clock.port';
import type { QueryCache } from '../../../application/ports/query-cache.port';

interface Entry {
  value: string;
  generations: string;
  expiresAt: number;
}

/**
 * The embedded (single-process) read cache and the fake unit tests use. Bounded: past `maxEntries`
 * the oldest entry goes, so a long-running embedded service does not grow without limit.
 */
export class InMemoryQueryCache implements QueryCache {
  private readonly counters = new Map<string, number>();
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly clock: Clock = { now: () => new Date() },
    private readonly maxEntries = 10_000,
  ) {}

  async generations(tables: readonly string[]): Promise<number[]> {
    return tables.map((table) => this.counters.get(table) ?? 0);
  }

  async bump(tables: readonly string[]): Promise<void> {
    for (const table of new Set(tables)) this.counters.set(table, (this.counters.get(table) ?? 0) + 1);
  }

  async lookup(key: string, tables: readonly string[]): Promise<{ value: string | null; generations: number[] }> {
    const generations = await this.generations(tables);
    const entry = this.entries.get(key);
    if (!entry) return { value: null, generations };
    if (entry.expiresAt <= this.clock.now().getTime()) {
      this.entries.delete(key);
      return { value: null, generations };
    }
    return { value: entry.generations === generations.join(',') ? entry.value : null, generations };
  }

  async store(key: string, generations: readonly number[], value: string, ttlSeconds: number): Promise<void> {
    this.entries.delete(key);
    this.entries.set(key, { value, generations: generations.join(','), expiresAt: this.clock.now().getTime() + ttlSeconds * 1000 });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }
}
