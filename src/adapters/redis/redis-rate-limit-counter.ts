import type { RedisConnection } from './redis-client';
import type { RateLimitCounter, RateLimitGrant } from '../../application/ports/rate-limit-counter.port';

/**
 * One counter key per caller and window, with the window's length as its expiry: the layout
 * rate-limit-redis used, so instances of the previous release share the count during a rolling update.
 * A reservation is one script call: it grants what is left, up to `want`, and counts it.
 */
const RESERVE = `
local limit = tonumber(ARGV[1])
local want = tonumber(ARGV[2])
local windowMs = tonumber(ARGV[3])
local ttl = redis.call('PTTL', KEYS[1])
local used = 0
if ttl > 0 then used = tonumber(redis.call('GET', KEYS[1]) or '0') end
local granted = math.max(0, math.min(want, limit - used))
if ttl <= 0 then
  ttl = windowMs
  redis.call('SET', KEYS[1], granted, 'PX', windowMs)
elseif granted > 0 then
  redis.call('INCRBY', KEYS[1], granted)
end
return { granted, used + granted, ttl }
`;

type ReservingRedis = RedisConnection & { vbRateLimitReserve(key: string, limit: number, want: number, windowMs: number): Promise<[number, number, number]> };

export class RedisRateLimitCounter implements RateLimitCounter {
  private readonly redis: ReservingRedis;

  constructor(
    redis: RedisConnection,
    private readonly prefix = 'ratelimit:',
  ) {
    // defineCommand sends EVALSHA and falls back to EVAL when Redis lost its script cache (a restart).
    if (!('vbRateLimitReserve' in redis)) redis.defineCommand('vbRateLimitReserve', { numberOfKeys: 1, lua: RESERVE });
    this.redis = redis as ReservingRedis;
  }

  async reserve(key: string, limit: number, want: number, windowMs: number): Promise<RateLimitGrant> {
    const [granted, used, ttl] = await this.redis.vbRateLimitReserve(`${this.prefix}${key}`, limit, want, windowMs);
    return { granted: Number(granted), used: Number(used), resetAt: Date.now() + Number(ttl) };
  }
}
