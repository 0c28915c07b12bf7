import type { RedisCommand } from '../../domain/database/redis-command';

/** One outboxed Redis operation, named by a marker unique to its transaction and position. */
export interface RedisEffect {
  marker: string;
  command: RedisCommand;
}

/** `applied`: done now or by an earlier attempt; `rejected`: Redis refused the command itself (never retried). */
export type RedisEffectOutcome = { status: 'applied' } | { status: 'rejected'; reason: string };

/**
 * Applies outboxed Redis operations exactly once in effect: each together with a marker of its own,
 * atomically, so a retry after a lost reply finds the marker and does not apply it again.
 */
export interface RedisEffects {
  /**
   * In order. Returns one outcome per effect applied; fewer than given when the store stopped
   * accepting writes part way (the rest to retry). Throws KeyValueUnavailable when unreachable.
   */
  apply(effects: readonly RedisEffect[]): Promise<RedisEffectOutcome[]>;
}
