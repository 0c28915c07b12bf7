import type { RenditionFormat } from '../../domain/storage/rendition';
import type { FileEncryption } from '../../domain/storage/stored-file';

/** A rendition as stored: one row of file_renditions and one object. */
export interface Rendition {
  fileId: string;
  /** renditionKey(): the source's sha256 and the canonical parameters, hashed; also the ETag. */
  key: string;
  /** The canonical parameters, for people reading the table. */
  parameters: string;
  format: RenditionFormat;
  objectKey: string;
  sizeBytes: number;
  width: number;
  height: number;
  encryption: FileEncryption | null;
  createdAt: Date;
  lastUsedAt: Date;
}

/**
 * The rendition cache's index (file_renditions): a bounded cache, its least recently used entries
 * evicted first. Rows go with their file (foreign key), but their objects are the caller's to delete.
 */
export interface RenditionRepository {
  find(fileId: string, key: string): Promise<Rendition | null>;
  /** Idempotent: a rendition already recorded under (fileId, key) is kept as it is. */
  save(rendition: Rendition): Promise<void>;
  /** Marks it used at `at` (LRU order). */
  touch(fileId: string, key: string, at: Date): Promise<void>;
  ofFile(fileId: string): Promise<Rendition[]>;
  remove(fileId: string, key: string): Promise<void>;
  /** Bytes of every rendition stored. */
  totalBytes(): Promise<number>;
  /** The `limit` least recently used renditions. */
  leastRecentlyUsed(limit: number): Promise<Rendition[]>;
}

/**
 * What a production does under its lock, on the lock's own footing (for PostgreSQL, the connection and
 * transaction holding it): look the rendition up again, and record it. A row saved here is seen by
 * others once the lock is released, and not at all if the production fails.
 */
export interface LockedRenditions {
  find(fileId: string, key: string): Promise<Rendition | null>;
  /** As RenditionRepository.save, kept only if the work under the lock succeeds. */
  save(rendition: Rendition): Promise<void>;
}

/**
 * Production of one rendition at a time across every process and instance sharing the database, so
 * concurrent first requests for the same rendition produce it once: the others wait, then find it.
 */
export interface ProductionLocks {
  /**
   * Runs `work` while holding `name`, waiting for whoever holds it; released however `work` ends.
   * What `work` saved through `held` is kept when it succeeds (before the lock is released), dropped
   * when it throws; if keeping it fails, `exclusively` throws.
   */
  exclusively<T>(name: string, work: (held: LockedRenditions) => Promise<T>): Promise<T>;
}
