import type { OutboxStore } from '../../ports/outbox-store.port';
import type { PendingInvalidations } from '../../ports/pending-invalidations.port';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * PendingInvalidations over the outbox, with a watermark: the first check notes the newest
 * invalidation owed; the cache may come back once everything up to that mark is applied. Most of what
 * is owed at any instant is being applied by the request that committed it, within milliseconds, so
 * a check waits up to `settleMs` for that before answering no (and keeps the mark for the next one).
 */
export class OutboxPendingInvalidations implements PendingInvalidations {
  private watermark: string | null = null;

  constructor(
    private readonly store: OutboxStore,
    private readonly settleMs = 200,
    private readonly stepMs = 20,
  ) {}

  async none(): Promise<boolean> {
    if (this.watermark === null) {
      this.watermark = await this.store.newestPendingInvalidation();
      if (this.watermark === null) return true;
    }
    for (let waited = 0; ; waited += this.stepMs) {
      if (await this.store.invalidationsSettledThrough(this.watermark)) {
        this.watermark = null;
        return true;
      }
      if (waited >= this.settleMs) return false;
      await sleep(this.stepMs);
    }
  }
}
