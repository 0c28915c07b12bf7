import type { Caller } from '../auth/caller';

/** Whose rows a statement may see or change: all of them (admin) or one owner's. */
export type RowScope = { kind: 'all' } | { kind: 'owner'; userId: string };

export function scopeOf(caller: Caller): RowScope {
  return caller.role === 'admin' ? { kind: 'all' } : { kind: 'owner', userId: caller.userId };
}

/** A stable text for cache keys and key namespaces. */
export function scopeKey(scope: RowScope): string {
  return scope.kind === 'all' ? 'all' : `user:${scope.userId}`;
}
