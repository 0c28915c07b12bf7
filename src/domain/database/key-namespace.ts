import type { RowScope } from './row-scope';

/**
 * Where a caller's Redis keys live. An admin addresses the shared `data:` space; any other caller
 * only ever reaches `data:user:<id>:`, so no key they name can land in someone else's space.
 */
export function namespacedKey(scope: RowScope, key: string): string {
  return scope.kind === 'all' ? `data:${key}` : `data:user:${scope.userId}:${key}`;
}

/** Keys a caller may name: printable, no spaces, bounded. */
export const KEY_PATTERN = /^[A-Za-z0-9:_\-.@/]{1,256}$/;
