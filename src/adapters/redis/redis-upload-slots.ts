import { randomUUID } from 'node:crypto';
import type { RedisConnection } from './redis-client';
import type { UploadSlot, UploadSlots } from '../../application/ports/upload-slots.port';

/**
 * A caller's slots are members of one sorted set, scored by when they lapse (Redis's own clock, so
 * instances' clocks do not matter). Lapsed members are dropped before counting: the slots of a process
 * killed mid-upload come back after `leaseMs` instead of being lost; a live upload renews its own.
 */
const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[2])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
return 1`;

const RENEW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if redis.call('ZADD', KEYS[1], 'XX', 'CH', now + tonumber(ARGV[2]), ARGV[1]) == 1 then
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
end
return 1`;

export class RedisUploadSlots implements UploadSlots {
  private readonly renewals = new Set<NodeJS.Timeout>();

  constructor(
    private readonly client: RedisConnection,
    private readonly prefix = 'upload-slots:',
    private readonly leaseMs = 60_000,
  ) {}

  async tryAcquire(callerId: string, limit: number): Promise<UploadSlot | null> {
    const key = `${this.prefix}${callerId}`;
    const member = randomUUID();
    const taken = await this.client.eval(ACQUIRE, 1, key, String(limit), member, String(this.leaseMs));
    if (Number(taken) !== 1) return null;
    // Renewed well before it lapses; a failed renewal is retried at the next tick (Redis may be back).
    const renewal = setInterval(() => {
      this.client.eval(RENEW, 1, key, member, String(this.leaseMs)).catch(() => undefined);
    }, Math.max(1, Math.floor(this.leaseMs / 3)));
    renewal.unref();
    this.renewals.add(renewal);
    let released = false;
    return {
      release: async () => {
        if (released) return;
        released = true;
        clearInterval(renewal);
        this.renewals.delete(renewal);
        // If Redis is away now, the member lapses on its own after leaseMs.
        await this.client.zrem(key, member).catch(() => undefined);
      },
    };
  }

  async close(): Promise<void> {
    for (const renewal of this.renewals) clearInterval(renewal);
    this.renewals.clear();
  }
}
