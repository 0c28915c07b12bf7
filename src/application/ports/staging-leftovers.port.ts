/**
 * partial_write: the temporary of a put (a disk `.partial` file, a multipart upload a direct put began);
 * staged_upload: bytes staged for a resumable or tus upload (a staged file, an S3 multipart upload
 * and its pieces, Azure uncommitted blocks and their readable copies).
 */
export type LeftoverKind = 'partial_write' | 'staged_upload';

/** Something a store holds for a write not finished (yet, or ever). */
export interface StagedLeftover {
  /** The adapter's own name for it; only ever passed back to `removeLeftover`. */
  ref: string;
  kind: LeftoverKind;
  /**
   * Whose it is: equal to `uploadTagOf(id)` for the resumable upload with UploadStaging id `id`; null
   * when no resumable upload can own it (the temporary of a put).
   */
  uploadTag: string | null;
  /** Bytes held, where the provider says (0 when it does not). */
  size: number;
  /** When it was last written (a write in progress keeps it recent). */
  lastModified: Date;
}

/**
 * What writes that never finished leave in a store, for the orphan sweep: listed, matched against the
 * live upload sessions, removed. Kept apart from ObjectLister because these live under names no key
 * reaches (dot-prefixed folders, uncommitted blocks, multipart uploads).
 */
export interface StagingLeftovers {
  leftovers(): AsyncIterable<StagedLeftover>;
  /** The tag the leftovers of the resumable upload `uploadId` (an UploadStaging id) carry. */
  uploadTagOf(uploadId: string): string;
  /** Removes what `leftover` names; idempotent. */
  removeLeftover(leftover: StagedLeftover): Promise<void>;
}
