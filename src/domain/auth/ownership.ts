import { isAdmin, type Caller } from './caller';

/**
 * The one ownership rule: a caller may act on what they own, and an admin on anything. Files,
 * transformations and purge requests apply it as it is; the data API's row scoping is its SQL form
 * (a non-admin's reads and writes carry `owner column = caller`, see table-policy.ts).
 */
export function canAccess(caller: Caller, owned: { readonly userId: string }): boolean {
  return owned.userId === caller.userId || isAdmin(caller);
}

/** Public things are readable by anyone, token or not; the rest by whoever canAccess them. */
export function canRead(caller: Caller | undefined, owned: { readonly userId: string; readonly isPublic: boolean }): boolean {
  return owned.isPublic || (caller !== undefined && canAccess(caller, owned));
}
