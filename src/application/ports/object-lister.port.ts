/** One object a store holds, as a listing reports it. */
export interface ListedObject {
  key: string;
  size: number;
  lastModified: Date;
}

/**
 * What a store holds at the keys `get` and `delete` address (the orphan sweep compares them with the
 * rows). Never the provider's own staging areas or the temporaries of writes in progress: those are
 * StagingLeftovers'. Pages through the provider as it goes, so memory stays flat however many objects.
 */
export interface ObjectLister {
  /** Every object whose key starts with `prefix` (all when absent), in no promised order. */
  list(prefix?: string): AsyncIterable<ListedObject>;
}
