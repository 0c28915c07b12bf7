import type { AbandonedJobHandler, JobHandler, JobQueue, QueuedJob, WorkOptions } from '../../application/ports/job-queue.port';

/** One process, nothing kept: for unit tests and single-instance development. Same retry rules. */
export class InMemoryJobQueue implements JobQueue {
  private readonly pending: Array<{ id: string; payload: Record<string, unknown>; attempt: number }> = [];
  private readonly cancelled = new Set<string>();
  private readonly running = new Set<Promise<void>>();
  private handler: JobHandler | null = null;
  private onAbandoned: AbandonedJobHandler | null = null;
  private concurrency = 0;
  private closed = false;

  constructor(private readonly retries = 2) {}

  async enqueue(job: { id: string; payload: Record<string, unknown> }): Promise<void> {
    this.pending.push({ ...job, attempt: 1 });
    this.pump();
  }

  async cancel(id: string): Promise<void> {
    this.cancelled.add(id);
    const index = this.pending.findIndex((job) => job.id === id);
    if (index >= 0) this.pending.splice(index, 1);
  }

  async work(handler: JobHandler, options: WorkOptions): Promise<void> {
    this.handler = handler;
    this.onAbandoned = options.onAbandoned ?? null;
    this.concurrency = options.concurrency;
    this.pump();
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.running]);
  }

  private pump(): void {
    while (!this.closed && this.handler && this.running.size < this.concurrency && this.pending.length > 0) {
      const next = this.pending.shift()!;
      const job: QueuedJob = { id: next.id, payload: next.payload, attempt: next.attempt, lastAttempt: next.attempt > this.retries };
      const run: Promise<void> = this.handler(job)
        .catch(() => {
          if (this.cancelled.has(job.id)) return;
          if (!job.lastAttempt) this.pending.push({ ...next, attempt: next.attempt + 1 });
          else return this.onAbandoned?.({ id: job.id, payload: job.payload }).catch(() => undefined);
        })
        .finally(() => {
          this.running.delete(run);
          setImmediate(() => this.pump());
        });
      this.running.add(run);
    }
  }
}
