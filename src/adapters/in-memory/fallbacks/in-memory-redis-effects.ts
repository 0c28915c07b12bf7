import type { RedisEffect, RedisEffectOutcome, RedisEffects } from '../../../application/ports/redis-effects.port';
import type { RedisCommand } from '../../../domain/database/redis-command';
import { KeyValueUnavailable } from '../../../domain/shared/errors';

/** What the in-process key-value store offers beyond the KeyValueStore port: Redis's hashes and EXPIRE. */
export interface InProcessRedisData {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlSeconds?: number): Promise<void>;
  del(key: string): Promise<number>;
  incr(key: string): Promise<number>;
  expire(key: string, ttlSeconds: number): Promise<boolean>;
  hset(key: string, fields: Record<string, string>): Promise<number>;
  hdel(key: string, fields: readonly string[]): Promise<number>;
}

const MARKER_TTL_SECONDS = 7 * 24 * 3600;

/**
 * RedisEffects over the in-process store (embedded mode, and the unit tests' fake). One effect at a
 * time, marker and command with no other effect in between, which is what makes it exactly once
 * here. Markers live in the same store, so they expire and are swept like any key.
 */
export class InMemoryRedisEffects implements RedisEffects {
  private queue: Promise<unknown> = Promise.resolve();
  /** Tests: the store stops accepting writes, as Redis does when it goes away. */
  down = false;

  constructor(private readonly store: InProcessRedisData) {}

  apply(effects: readonly RedisEffect[]): Promise<RedisEffectOutcome[]> {
    const run = this.queue.then(() => this.applyAll(effects));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async applyAll(effects: readonly RedisEffect[]): Promise<RedisEffectOutcome[]> {
    if (this.down) throw new KeyValueUnavailable('Redis is unavailable', { store: 'in_process' });
    const outcomes: RedisEffectOutcome[] = [];
    for (const effect of effects) {
      const marker = `outbox:applied:${effect.marker}`;
      if ((await this.store.get(marker)) !== null) {
        outcomes.push({ status: 'applied' });
        continue;
      }
      try {
        await run(this.store, effect.command);
        outcomes.push({ status: 'applied' });
      } catch (error) {
        outcomes.push({ status: 'rejected', reason: error instanceof Error ? error.message : String(error) });
      }
      await this.store.set(marker, '1', MARKER_TTL_SECONDS);
    }
    return outcomes;
  }
}

async function run(store: InProcessRedisData, command: RedisCommand): Promise<void> {
  switch (command.op) {
    case 'set':
      return store.set(command.key, command.value, command.ttlSeconds ?? undefined);
    case 'del':
      await store.del(command.key);
      return;
    case 'incr':
      await store.incr(command.key);
      return;
    case 'expire':
      await store.expire(command.key, command.ttlSeconds);
      return;
    case 'hset':
      await store.hset(command.key, command.fields);
      return;
    case 'hdel':
      await store.hdel(command.key, command.fields);
      return;
  }
}
