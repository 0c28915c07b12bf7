/** One delivery of a job to a worker. */
export interface QueuedJob {
  id: string;
  payload: Record<string, unknown>;
  /** 1 on the first try. */
  attempt: number;
  /** No retry follows if this attempt throws: the handler records the failure for good. */
  lastAttempt: boolean;
}

export type JobHandler = (job: QueuedJob) => Promise<void>;

/**
 * A job given up for good without its handler having recorded the outcome: its worker died (or hung)
 * on the last attempt and the queue expired it, or the handler threw on its last attempt.
 */
export type AbandonedJobHandler = (job: { id: string; payload: Record<string, unknown> }) => Promise<void>;

export interface WorkOptions {
  concurrency: number;
  /** Called once per abandoned job, so the job's row does not stay running forever. */
  onAbandoned?: AbandonedJobHandler;
}

/**
 * Durable background work spread over every instance that calls `work`: a job is delivered to one
 * worker at a time, retried (with backoff) when the handler throws, and redelivered after its
 * timeout when the worker running it died. The id is the caller's (the job's row), so `cancel`
 * needs nothing else.
 */
export interface JobQueue {
  enqueue(job: { id: string; payload: Record<string, unknown> }): Promise<void>;
  /** A queued job is never delivered; a running one is not retried. Unknown ids are ignored. */
  cancel(id: string): Promise<void>;
  /** Starts `concurrency` workers in this process (0: enqueue only), and one for `onAbandoned` when given. */
  work(handler: JobHandler, options: WorkOptions): Promise<void>;
  /** Stops fetching and waits for the handlers running here. */
  close(): Promise<void>;
}
