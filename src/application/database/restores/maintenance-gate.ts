import { UnderMaintenance } from '../../../domain/database/restore-errors';
import type { Logger } from '../../ports/logger.port';
import type { RestoreRepository } from '../../ports/restore-repository.port';

export interface MaintenanceGateOptions {
  /** How long an answer is reused: other instances see a restore start or end within this. */
  cacheMs: number;
  /** Sent as Retry-After with the 503. */
  retryAfterSeconds: number;
  now?: () => number;
}

/**
 * Whether writes are refused: an in-place restore is queued or running on any instance. The truth
 * is the restore's row in PostgreSQL (so every instance sharing the database agrees, and a dead
 * instance's restore stops counting once its heartbeat is stale); each instance reuses the answer
 * for `cacheMs` so a write costs no extra query. The instance running the restore calls `forget` as
 * it starts and ends one, so it never lags behind itself.
 */
export class MaintenanceGate {
  private cached: { at: number; active: { id: string } | null } | null = null;
  private reading: Promise<{ id: string } | null> | null = null;
  /** Bumped by `forget`: a read begun before it must not fill the cache after it. */
  private generation = 0;
  private unreadable = false;
  private readonly now: () => number;

  constructor(
    private readonly restores: RestoreRepository,
    private readonly logger: Logger,
    private readonly options: MaintenanceGateOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** Throws UnderMaintenance (503 MAINTENANCE) while an in-place restore runs. */
  async assertWritable(): Promise<void> {
    const active = await this.current();
    if (active) throw new UnderMaintenance(active.id, this.options.retryAfterSeconds);
  }

  async current(): Promise<{ id: string } | null> {
    if (this.cached && this.now() - this.cached.at < this.options.cacheMs) return this.cached.active;
    if (this.reading) return this.reading;
    const reading = this.read(this.generation).finally(() => {
      if (this.reading === reading) this.reading = null;
    });
    this.reading = reading;
    return reading;
  }

  forget(): void {
    this.cached = null;
    this.reading = null;
    this.generation += 1;
  }

  private async read(generation: number): Promise<{ id: string } | null> {
    try {
      const active = await this.restores.activeInPlace();
      if (generation === this.generation) this.cached = { at: this.now(), active };
      this.unreadable = false;
      return active;
    } catch (error) {
      // The database unreachable: the write would fail on it anyway, with its own error. Cached like
      // an answer, so an outage costs one failed read per cacheMs, and said once until it recovers.
      if (generation === this.generation) this.cached = { at: this.now(), active: null };
      if (!this.unreadable) this.logger.warn({ err: { message: (error as Error)?.message } }, 'maintenance state unreadable; writes not held back');
      this.unreadable = true;
      return null;
    }
  }
}
