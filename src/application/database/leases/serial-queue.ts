/**
 * Runs tasks one after another in arrival order. A connection runs one statement at a time, and a
 * multi-statement piece of work (BEGIN, inserts, COMMIT) must not interleave with another's.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private waiting = 0;

  run<T>(task: () => Promise<T>): Promise<T> {
    this.waiting += 1;
    const result = this.tail.then(task).finally(() => {
      this.waiting -= 1;
    });
    // The chain must survive a failed task; the caller still sees the failure through `result`.
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** Tasks running or queued. */
  get size(): number {
    return this.waiting;
  }
}
