/** A deleted file's object, kept for the backups that list it. */
export interface Tombstone {
  fileId: string;
  key: string;
  storageProvider: string | null;
}

/**
 * Which objects of deleted files must outlive their rows: those a kept backup's manifest lists, and,
 * while a backup is queued or running (its manifest not yet committed), every one.
 */
export interface RetainedObjects {
  /** Records a tombstone and answers true when the object must stay; false: delete it now. */
  retainIfListed(file: Tombstone): Promise<boolean>;
  /** Tombstones no kept backup lists any more (none while a backup is active). */
  releasable(limit: number): Promise<Tombstone[]>;
  /** Drops the tombstone once its object is gone. */
  forget(key: string): Promise<void>;
  /** Drops the tombstones whose file row exists again (an in-place restore brought it back); how many. */
  forgetRevived(): Promise<number>;
}
