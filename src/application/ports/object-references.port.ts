/**
 * What the database says about objects, for the orphan sweep: which keys anything refers to (a file
 * row, trashed ones included; a kept database backup's manifest or tombstone; a database backup's
 * archive; an upload session still live), and which resumable uploads are still live.
 */
export interface ObjectReferences {
  /** Which of `keys` something refers to. */
  referenced(keys: readonly string[], now: Date): Promise<Set<string>>;
  /** UploadStaging ids of the upload sessions still live (not completed, not expired at `now`). */
  liveUploadIds(now: Date): Promise<string[]>;
}
