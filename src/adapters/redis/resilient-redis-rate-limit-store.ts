import type { Redis } from 'ioredis';
import type { IncrementResponse } from 'express-rate-limit';
import { RedisStore } from 'rate-limit-redis';

/**
 * rate-limit-redis loads its Lua scripts once, at start. If Redis is down at that moment the stored
 * promise stays rejected and the limiter would stay off for the life of the process; this subclass
 * reloads the scripts after a failure, so limits come back with Redis.
 */
export class ResilientRedisRateLimitStore extends RedisStore {
  constructor(redis: Redis, prefix: string) {
    super({ prefix, sendCommand: (command: string, ...args: string[]) => redis.call(command, ...args) as never });
  }

  override async init(options: Parameters<RedisStore['init']>[0]): Promise<void> {
    // A failed load is retried on first use below; not an error at start.
    await super.init(options).catch(() => undefined);
  }

  override async increment(key: string): Promise<IncrementResponse> {
    try {
      return await super.increment(key);
    } catch (error) {
      this.incrementScriptSha = this.loadIncrementScript();
      this.getScriptSha = this.loadGetScript();
      this.incrementScriptSha.catch(() => undefined);
      this.getScriptSha.catch(() => undefined);
      throw error;
    }
  }
}
