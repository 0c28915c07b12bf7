import PgBoss from 'pg-boss';
import type { JobHandler, JobQueue, WorkOptions } from '../../application/ports/job-queue.port';
import type { Logger } from '../../application/ports/logger.port';

export interface PgBossQueueSettings {
  connectionString: string;
  queue: string;
  /** Retries after the first attempt, with pg-boss's exponential backoff. */
  retries: number;
  /** A job still active after this long is expired: retried elsewhere (its worker is presumed dead). */
  timeoutSeconds: number;
  pollingIntervalSeconds?: number;
  /**
   * A cron schedule that sends `payload` to this queue, kept by pg-boss itself (in its tables, with
   * its own lock: exactly one instance sends each occurrence); null removes one an earlier
   * configuration left. Absent: the queue has no schedules to manage.
   */
  schedule?: { cron: string; payload: Record<string, unknown> } | null;
  /**
   * Keeps a dead-letter queue (`<queue>-abandoned`) of the jobs failed for good (expired on their last
   * attempt: their worker died), for `work`'s `onAbandoned`. Without it, `onAbandoned` is never called.
   */
  abandonedQueue?: boolean;
}

/** The job's id (the caller's, its row's) inside its data: a dead-lettered copy gets a new id of pg-boss's. */
const JOB_ID = '__job_id';

function withoutJobId(data: Record<string, unknown>): Record<string, unknown> {
  const { [JOB_ID]: _id, ...payload } = data;
  return payload;
}

/**
 * pg-boss 10 on the service's own PostgreSQL (its tables live in the `pgboss` schema): jobs survive
 * restarts, `FOR UPDATE SKIP LOCKED` hands each job to one worker across every instance, and retries
 * with backoff and expiration are the library's. 10.x is the newest CommonJS line that runs on Node 20.
 */
export class PgBossJobQueue implements JobQueue {
  private readonly boss: PgBoss;
  private ready: Promise<void> | null = null;
  /** This instance's fetch loops, woken at once when this instance queues a job (others poll). */
  private readonly workerIds: string[] = [];

  constructor(private readonly settings: PgBossQueueSettings, private readonly logger: Logger) {
    // Expiry (a dead worker's job retried, or given up) happens in pg-boss's maintenance, every 120 s by
    // default: never less often than the job timeout, so a dead worker's job moves within 2 × the timeout.
    const maintenanceIntervalSeconds = Math.max(1, Math.min(120, settings.timeoutSeconds));
    this.boss = new PgBoss({ connectionString: settings.connectionString, max: 4, schedule: Boolean(settings.schedule), maintenanceIntervalSeconds });
    this.boss.on('error', (error: Error) => this.logger.error({ err: { message: error.message } }, 'pg-boss error'));
  }

  async enqueue(job: { id: string; payload: Record<string, unknown> }): Promise<void> {
    await this.start();
    await this.boss.send(this.settings.queue, { ...job.payload, [JOB_ID]: job.id }, { id: job.id });
    for (const id of this.workerIds) this.boss.notifyWorker(id);
  }

  async cancel(id: string): Promise<void> {
    await this.start();
    await this.boss.cancel(this.settings.queue, id).catch(() => undefined);
  }

  async work(handler: JobHandler, options: WorkOptions): Promise<void> {
    await this.start();
    const pollingIntervalSeconds = this.settings.pollingIntervalSeconds ?? 2;
    // pg-boss 10 has no teamSize: each work() call is one fetch loop, so concurrency is that many loops.
    for (let i = 0; i < options.concurrency; i++) {
      const workerId = await this.boss.work<Record<string, unknown>>(this.settings.queue, { batchSize: 1, includeMetadata: true, pollingIntervalSeconds }, async ([job]) => {
        if (!job) return;
        await handler({ id: job.id, payload: withoutJobId(job.data), attempt: job.retryCount + 1, lastAttempt: job.retryCount >= job.retryLimit });
      });
      this.workerIds.push(workerId);
    }
    const { onAbandoned } = options;
    if (onAbandoned && this.settings.abandonedQueue) {
      // The dead-letter queue receives a copy of every job failed for good, by a throw or by expiry.
      await this.boss.work<Record<string, unknown>>(this.abandonedQueue, { batchSize: 1, pollingIntervalSeconds }, async ([job]) => {
        const id = job?.data?.[JOB_ID];
        if (!job || typeof id !== 'string') return;
        this.logger.warn({ queue: this.settings.queue, jobId: id }, 'job abandoned: failed for good without recording its outcome (its worker died on the last attempt?)');
        await onAbandoned({ id, payload: withoutJobId(job.data) });
      });
    }
  }

  private get abandonedQueue(): string {
    return `${this.settings.queue}-abandoned`;
  }

  async close(): Promise<void> {
    if (!this.ready) return;
    await this.ready.catch(() => undefined);
    await this.boss.stop({ graceful: true, wait: true, timeout: 30_000 });
  }

  private start(): Promise<void> {
    this.ready ??= (async () => {
      await this.boss.start();
      const { queue, retries, timeoutSeconds } = this.settings;
      let deadLetter: string | undefined;
      if (this.settings.abandonedQueue) {
        const dead = { name: this.abandonedQueue, retryLimit: 2, retryDelay: 1, expireInSeconds: 60 };
        if (await this.boss.getQueue(dead.name)) await this.boss.updateQueue(dead.name, dead);
        else await this.boss.createQueue(dead.name, dead);
        deadLetter = dead.name;
      }
      const options = { name: queue, retryLimit: retries, retryDelay: 1, retryBackoff: true, expireInSeconds: timeoutSeconds, ...(deadLetter ? { deadLetter } : {}) };
      if (await this.boss.getQueue(queue)) await this.boss.updateQueue(queue, options);
      else await this.boss.createQueue(queue, options);
      const { schedule } = this.settings;
      if (schedule) await this.boss.schedule(queue, schedule.cron, schedule.payload, { tz: 'UTC' });
      else if (schedule === null) await this.boss.unschedule(queue);
    })();
    return this.ready;
  }
}
