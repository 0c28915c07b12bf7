import type { Transform } from 'node:stream';

/**
 * Encryption at rest of backup archives, as streams: neither side holds an archive whole. `decrypt`
 * fails the stream (never ends it cleanly) when the input was tampered with, truncated, or encrypted
 * under another key.
 */
export interface ArchiveCipher {
  /** False when archives are stored as is (a deployment that chose so); recorded on each backup. */
  readonly encrypts: boolean;
  encrypt(): Transform;
  decrypt(): Transform;
}
