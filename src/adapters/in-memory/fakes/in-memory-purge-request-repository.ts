import type { PurgeRequestRepository } from '../../../application/ports/purge-request-repository.port';
import type { PurgeRequest } from '../../../domain/storage/cdn-purge';

/** cdn_purge_requests in a Map, for unit tests. Copies in and out, as rows would be. */
export class InMemoryPurgeRequestRepository implements PurgeRequestRepository {
  private readonly requests = new Map<string, PurgeRequest>();

  async create(request: PurgeRequest): Promise<void> {
    // The primary key: a second insert of the same id fails in PostgreSQL too.
    if (this.requests.has(request.id)) throw new Error(`purge request ${request.id} already exists`);
    this.requests.set(request.id, structuredClone(request));
  }

  async findById(id: string): Promise<PurgeRequest | null> {
    const request = this.requests.get(id);
    return request ? structuredClone(request) : null;
  }

  async save(request: PurgeRequest): Promise<void> {
    const stored = this.requests.get(request.id);
    // Like the UPDATE: an unknown id changes nothing, and only the moving parts are written.
    if (!stored) return;
    stored.status = request.status;
    stored.providers = structuredClone(request.providers);
    stored.attempts = request.attempts;
    stored.completedAt = request.completedAt ? new Date(request.completedAt) : null;
  }

  /** Every request, oldest first: lets a test see that nothing was created. */
  all(): PurgeRequest[] {
    return [...this.requests.values()].map((r) => structuredClone(r));
  }
}
