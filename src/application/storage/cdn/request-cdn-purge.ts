import { randomUUID } from 'node:crypto';
import type { Caller } from '../../../domain/auth/caller';
import type { CdnTarget, PurgeType } from '../../../domain/storage/cdn';
import { overallStatus, type PurgeReason, type PurgeRequest } from '../../../domain/storage/cdn-purge';
import type { StoredFile } from '../../../domain/storage/stored-file';
import type { CdnPurger } from '../../ports/cdn.port';
import type { Clock } from '../../ports/clock.port';
import type { FileRepository } from '../../ports/file-repository.port';
import type { JobQueue } from '../../ports/job-queue.port';
import type { Logger } from '../../ports/logger.port';
import type { PurgeRequestRepository } from '../../ports/purge-request-repository.port';
import { accessibleFile } from '../files/accessible-file';
import type { CdnTargets } from './cdn-targets';

/**
 * POST /cdn/purge, and the purge the service asks itself when a file changes or goes away. Every file
 * is checked first (someone else's or unknown → 404, nothing queued); the URLs are fixed now and the
 * providers are purged by a queued job (RunCdnPurge), so the answer does not wait for any CDN.
 */
export class RequestCdnPurge {
  constructor(
    private readonly files: FileRepository,
    private readonly targets: CdnTargets,
    private readonly requests: PurgeRequestRepository,
    private readonly queue: JobQueue,
    private readonly purgers: CdnPurger[],
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  async execute(input: { caller: Caller; fileIds: string[]; purgeType: PurgeType }): Promise<PurgeRequest> {
    const files: StoredFile[] = [];
    for (const id of new Set(input.fileIds)) files.push(await accessibleFile(this.files, input.caller, id, 'any'));
    return this.start(input.caller.userId, files, input.purgeType, 'request');
  }

  /**
   * After an update or a deletion (call it before a permanent removal: the derived outputs are read
   * from the file's transformations). Never fails the caller's change: a problem is logged.
   */
  async afterChange(file: StoredFile, reason: Exclude<PurgeReason, 'request'>): Promise<void> {
    if (!this.purgers.some((p) => p.provider !== 'none')) return;
    await this.start(file.userId, [file], 'all', reason).catch((error: unknown) =>
      this.logger.error({ err: { message: (error as Error).message }, file_id: file.id }, 'could not queue the CDN purge of a changed file'),
    );
  }

  private async start(userId: string, files: StoredFile[], purgeType: PurgeType, reason: PurgeReason): Promise<PurgeRequest> {
    // A derived output asked for alongside its source is purged once.
    const byPath = new Map<string, CdnTarget>();
    for (const file of files) for (const t of await this.targets.forFile(file, purgeType)) byPath.set(t.path, t);
    const targets = [...byPath.values()];
    // `none` has nothing to purge: it is done at once, and a request with no other provider needs no job.
    const providers = this.purgers.map((p) => ({ provider: p.provider, status: p.provider === 'none' ? ('completed' as const) : ('queued' as const), urlsPurged: 0, error: null }));
    const now = this.clock.now();
    const status = overallStatus(providers);
    const request: PurgeRequest = {
      id: randomUUID(), userId, purgeType, reason, fileIds: files.map((f) => f.id), targets, status, providers,
      attempts: 0, createdAt: now, completedAt: status === 'completed' ? now : null,
    };
    await this.requests.create(request);
    if (status === 'completed') return request;
    try {
      await this.queue.enqueue({ id: request.id, payload: {} });
    } catch (error) {
      // Never left "queued" with no job behind it: the request says it failed, and the caller learns why.
      for (const p of request.providers) if (p.status === 'queued') Object.assign(p, { status: 'failed', error: 'the purge could not be queued' });
      request.status = 'failed';
      request.completedAt = this.clock.now();
      await this.requests.save(request).catch(() => undefined);
      throw error;
    }
    return request;
  }
}
