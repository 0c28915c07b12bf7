/**
 * Whether committed writes still owe cache invalidations (recorded in the transactional outbox and
 * not yet applied because Redis failed). A read cache that lost Redis stays bypassed until this says
 * none are left, so coming back from an outage never serves rows older than a committed write.
 */
export interface PendingInvalidations {
  /**
   * True once every invalidation owed when the cache went looking has been applied. Invalidations
   * owed by writes committing meanwhile are their own requests' to apply (or, failing that, the
   * relay's): waiting for "none at all" would never end under steady writes.
   */
  none(): Promise<boolean>;
}
