import { randomUUID } from 'node:crypto';
import type { PurgeRequestRepository } from '../../src/application/ports/purge-request-repository.port';
import { aPurgeRequest } from '../support/purge-request-builder';

/** What every PurgeRequestRepository promises, PostgreSQL or the fake. */
export function purgeRequestRepositoryContract(name: string, make: () => Promise<PurgeRequestRepository>): void {
  describe(`${name} (PurgeRequestRepository contract)`, () => {
    let repo: PurgeRequestRepository;
    beforeEach(async () => {
      repo = await make();
    });

    it('creates a request and reads it back as it was, providers and targets included', async () => {
      const request = aPurgeRequest().forProviders('varnish', 'cloudflare', 'none').build();
      request.providers[2] = { provider: 'none', status: 'completed', urlsPurged: 0, error: null };
      request.reason = 'file_deleted';
      request.purgeType = 'thumbnails';
      await repo.create(request);
      expect(await repo.findById(request.id)).toEqual(request);
    });

    it('answers null for an unknown id, and for one that is not an id at all', async () => {
      expect(await repo.findById(randomUUID())).toBeNull();
      expect(await repo.findById('not-a-uuid')).toBeNull();
    });

    it('save writes status, providers, attempts and completedAt, and nothing else', async () => {
      const request = aPurgeRequest().forProviders('varnish', 'azure_cdn').build();
      await repo.create(request);
      const completedAt = new Date(request.createdAt.getTime() + 5_000);
      const providers = [
        { provider: 'varnish' as const, status: 'completed' as const, urlsPurged: 2, error: null },
        { provider: 'azure_cdn' as const, status: 'failed' as const, urlsPurged: 0, error: 'HTTP 503 from the API' },
      ];
      await repo.save({
        ...request, status: 'failed', providers, attempts: 3, completedAt,
        // None of these may change: they were fixed when the purge was asked.
        userId: randomUUID(), purgeType: 'previews', reason: 'file_updated', fileIds: [], targets: [], createdAt: new Date(0),
      });
      expect(await repo.findById(request.id)).toEqual({ ...request, status: 'failed', providers, attempts: 3, completedAt });
    });

    it('save of an unknown request creates nothing', async () => {
      const request = aPurgeRequest().build();
      await repo.save(request);
      expect(await repo.findById(request.id)).toBeNull();
    });

    it('keeps what was stored when the caller mutates what it passed or got back', async () => {
      const request = aPurgeRequest().build();
      const original = structuredClone(request);
      await repo.create(request);
      request.providers[0]!.status = 'completed';
      request.targets.pop();
      const read = (await repo.findById(request.id))!;
      read.providers[0]!.urlsPurged = 99;
      read.fileIds.push(randomUUID());
      expect(await repo.findById(request.id)).toEqual(original);
    });
  });
}
