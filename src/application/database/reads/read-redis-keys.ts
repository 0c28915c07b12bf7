import type { Caller } from '../../../domain/auth/caller';
import { KEY_PATTERN, namespacedKey } from '../../../domain/database/key-namespace';
import { scopeOf, type RowScope } from '../../../domain/database/row-scope';
import { DomainError } from '../../../domain/shared/domain-error';
import { ValidationFailed } from '../../../domain/shared/errors';
import type { KeyValueStore } from '../../ports/key-value-store.port';

export type RedisValue = string | Record<string, string> | null;

/** One `key` (as the transaction operations name it) or a list of `keys`; the answer is keyed by key either way. */
export type ReadRedisKeysInput = { caller: Caller } & ({ keys: string[] } | { key: string });

export const MAX_KEYS = 100;

/**
 * POST /data/query with database "redis", query_type "get": each key read inside the caller's own
 * namespace, so no key a user names can reach another user's space. Strings come back as text,
 * hashes as objects, missing keys as null. Redis unreachable → KeyValueUnavailable (503).
 */
export class ReadRedisKeys {
  constructor(private readonly store: KeyValueStore) {}

  async execute(input: ReadRedisKeysInput): Promise<Record<string, RedisValue>> {
    // Issues name the field the caller used: `key`, or `keys.<i>`.
    const [asked, pathOf] = 'key' in input ? [[input.key], () => 'key'] : [input.keys, (i: number) => `keys.${i}`];
    const invalid = asked.flatMap((key, i) => (KEY_PATTERN.test(key) ? [] : [{ path: pathOf(i), message: `expected a key matching ${KEY_PATTERN}` }]));
    if (asked.length === 0 || asked.length > MAX_KEYS) invalid.push({ path: 'keys', message: `expected 1 to ${MAX_KEYS} keys` });
    if (invalid.length > 0) throw new ValidationFailed('Invalid keys', invalid);

    const scope = scopeOf(input.caller);
    const keys = [...new Set(asked)];
    const values = await Promise.all(keys.map((key) => this.read(scope, key, pathOf(asked.indexOf(key)))));
    // fromEntries defines own properties, so a key such as "__proto__" stays plain data.
    return Object.fromEntries(keys.map((key, i) => [key, values[i] ?? null]));
  }

  private async read(scope: RowScope, key: string, path: string): Promise<RedisValue> {
    const stored = namespacedKey(scope, key);
    for (let attempt = 0; ; attempt++) {
      try {
        const kind = await this.store.kindOf(stored);
        if (kind === 'none') return null;
        if (kind === 'string') return await this.store.get(stored);
        if (kind === 'hash') {
          const hash = await this.store.hgetall(stored);
          // Redis has no empty hash: {} means the key went away between the two calls.
          return Object.keys(hash).length > 0 ? hash : null;
        }
        throw new ValidationFailed('Only string and hash keys can be read', [{ path, message: 'holds a Redis type other than string or hash' }]);
      } catch (error) {
        // The key changed kind between the two calls (WRONGTYPE): look once more.
        if (attempt > 0 || error instanceof DomainError) throw error;
      }
    }
  }
}
