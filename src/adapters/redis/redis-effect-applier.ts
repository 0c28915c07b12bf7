import { ReplyError } from 'ioredis';
import type { RedisConnection } from './redis-client';
import type { RedisEffect, RedisEffectOutcome, RedisEffects } from '../../application/ports/redis-effects.port';
import type { RedisCommand } from '../../domain/database/redis-command';
import { KeyValueUnavailable } from '../../domain/shared/errors';

/**
 * KEYS: (marker, key) per effect. ARGV: marker TTL, then per effect: op, argument count, arguments.
 * One script, so each effect and its marker are written together or not at all, in order. The
 * marker is set first and taken back if Redis refuses the write for want of memory or a writable
 * primary: a retry then applies it; a marker already there means an earlier attempt applied it.
 * A command Redis refuses for good (WRONGTYPE, INCR on a word) is reported and marked, not retried.
 */
const SCRIPT = `
local out = {}
local a = 2
for i = 1, #KEYS, 2 do
  local marker, key = KEYS[i], KEYS[i + 1]
  local op, n = ARGV[a], tonumber(ARGV[a + 1])
  local args = {}
  for j = 1, n do args[j] = ARGV[a + 1 + j] end
  a = a + 2 + n
  local claimed = redis.pcall('SET', marker, '1', 'NX', 'EX', ARGV[1])
  if type(claimed) == 'table' and claimed.err then return out end
  if claimed then
    local r
    if op == 'set' then
      if n == 2 then r = redis.pcall('SET', key, args[1], 'EX', args[2]) else r = redis.pcall('SET', key, args[1]) end
    elseif op == 'del' then r = redis.pcall('DEL', key)
    elseif op == 'incr' then r = redis.pcall('INCR', key)
    elseif op == 'expire' then r = redis.pcall('EXPIRE', key, args[1])
    elseif op == 'hset' then r = redis.pcall('HSET', key, unpack(args))
    elseif op == 'hdel' then r = redis.pcall('HDEL', key, unpack(args))
    else r = { err = 'ERR unknown outbox operation ' .. tostring(op) } end
    if type(r) == 'table' and r.err then
      if string.match(r.err, '^OOM') or string.match(r.err, '^READONLY') or string.match(r.err, '^MASTERDOWN') then
        redis.call('DEL', marker)
        return out
      end
      out[#out + 1] = 'err:' .. r.err
    else
      out[#out + 1] = 'ok'
    end
  else
    out[#out + 1] = 'ok'
  end
end
return out`;

const UNAVAILABLE_REPLIES = /^(LOADING|BUSY|MASTERDOWN|READONLY|OOM|TRYAGAIN|CLUSTERDOWN)\b/;
const COMMAND = 'vbApplyOutboxEffects';

/** Markers outlive any retry by far; unapplied entries are never purged, so none waits this long. */
export const MARKER_TTL_SECONDS = 7 * 24 * 3600;

type ScriptClient = RedisConnection & { [COMMAND]: (numKeys: number, ...keysAndArgs: string[]) => Promise<string[]> };

/** RedisEffects over ioredis (EVALSHA of one script; the client's key prefix applies to every key). */
export class RedisEffectApplier implements RedisEffects {
  private readonly client: ScriptClient;

  constructor(redis: RedisConnection) {
    if (!(COMMAND in redis)) redis.defineCommand(COMMAND, { lua: SCRIPT });
    this.client = redis as ScriptClient;
  }

  async apply(effects: readonly RedisEffect[]): Promise<RedisEffectOutcome[]> {
    if (effects.length === 0) return [];
    const keys: string[] = [];
    const args: string[] = [String(MARKER_TTL_SECONDS)];
    for (const effect of effects) {
      keys.push(markerKey(effect.marker), effect.command.key);
      const commandArgs = argumentsOf(effect.command);
      args.push(effect.command.op, String(commandArgs.length), ...commandArgs);
    }
    let replies: string[];
    try {
      replies = await this.client[COMMAND](keys.length, ...keys, ...args);
    } catch (error) {
      // A refusal of the script itself is a bug to surface; anything else means Redis cannot take it now.
      if (error instanceof ReplyError && !UNAVAILABLE_REPLIES.test((error as Error).message)) throw error;
      throw new KeyValueUnavailable('Redis is unavailable', { store: 'redis' });
    }
    return replies.map((reply) => (reply.startsWith('err:') ? { status: 'rejected', reason: reply.slice(4) } : { status: 'applied' }));
  }
}

/** Outside the `data:` space callers' keys live in, so no caller can name or clear a marker. */
export function markerKey(marker: string): string {
  return `outbox:applied:${marker}`;
}

function argumentsOf(command: RedisCommand): string[] {
  switch (command.op) {
    case 'set':
      return command.ttlSeconds === null ? [command.value] : [command.value, String(command.ttlSeconds)];
    case 'del':
    case 'incr':
      return [];
    case 'expire':
      return [String(command.ttlSeconds)];
    case 'hset':
      return Object.entries(command.fields).flat();
    case 'hdel':
      return command.fields;
  }
}
