import { overallStatus } from '../../../domain/storage/cdn-purge';
import type { CdnCacheStore } from '../../ports/cdn-cache-store.port';
import type { CdnPurger } from '../../ports/cdn.port';
import type { Clock } from '../../ports/clock.port';
import type { QueuedJob } from '../../ports/job-queue.port';
import type { Logger } from '../../ports/logger.port';
import type { PurgeRequestRepository } from '../../ports/purge-request-repository.port';

/**
 * The queued half of a purge: each provider not yet done is asked in turn and its outcome saved at
 * once (GET /cdn/purge/{id} shows it). A refusal is retried by the queue with backoff, asking only the
 * providers still pending; after the last attempt the request is failed with each provider's reason.
 */
export class RunCdnPurge {
  constructor(
    private readonly requests: PurgeRequestRepository,
    private readonly purgers: CdnPurger[],
    private readonly cache: CdnCacheStore,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  async execute(job: QueuedJob): Promise<void> {
    const request = await this.requests.findById(job.id);
    if (!request || request.status === 'completed' || request.status === 'failed') return;
    request.attempts = job.attempt;
    const pending = request.providers.filter((p) => p.status !== 'completed');
    for (const p of pending) p.status = 'processing';
    request.status = overallStatus(request.providers);
    await this.requests.save(request);

    let refused = 0;
    for (const entry of pending) {
      const purger = this.purgers.find((p) => p.provider === entry.provider);
      try {
        if (!purger) throw new Error(`${entry.provider} is no longer configured`);
        entry.urlsPurged = await purger.purge(request.targets);
        entry.status = 'completed';
        entry.error = null;
      } catch (error) {
        refused++;
        entry.status = job.lastAttempt ? 'failed' : 'queued';
        entry.error = (error as Error).message;
        this.logger.warn({ purge_id: request.id, provider: entry.provider, attempt: job.attempt, err: { message: entry.error } }, 'CDN purge refused');
      }
      if (entry.status === 'completed') {
        // Bookkeeping only: the CDN has already dropped the URLs, so a failed write does not undo the purge.
        await this.cache.markPurged(entry.provider, request.targets.map((t) => t.path), this.clock.now()).catch((error: unknown) =>
          this.logger.warn({ purge_id: request.id, err: { message: (error as Error).message } }, 'cdn_cache rows not marked purged'),
        );
      }
      request.status = overallStatus(request.providers);
      // In the same write as the final status: a reader never sees "completed" without its time.
      if (request.status === 'completed' || request.status === 'failed') request.completedAt = this.clock.now();
      await this.requests.save(request);
    }
    if (refused > 0 && !job.lastAttempt) throw new Error(`${refused} CDN provider(s) refused the purge; retrying`);
  }
}
