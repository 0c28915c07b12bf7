import type { PurgeRequest } from '../../domain/storage/cdn-purge';

/** cdn_purge_requests: what was asked, and how far each provider got. */
export interface PurgeRequestRepository {
  create(request: PurgeRequest): Promise<void>;
  findById(id: string): Promise<PurgeRequest | null>;
  /** Writes status, providers, attempts and completedAt (the rest never changes). */
  save(request: PurgeRequest): Promise<void>;
}
