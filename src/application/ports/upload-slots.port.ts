/**
 * Uploads in flight per caller (MAX_CONCURRENT_UPLOADS, 002): a slot is taken when an upload request
 * starts sending its body and given back when that request ends, whatever its outcome. Shared by
 * every instance when the adapter is (Redis), per process otherwise.
 */
export interface UploadSlots {
  /** One of the caller's `limit` slots, or null when all are taken. */
  tryAcquire(callerId: string, limit: number): Promise<UploadSlot | null>;
  close(): Promise<void>;
}

export interface UploadSlot {
  /** Gives the slot back; a second call does nothing. */
  release(): Promise<void>;
}
