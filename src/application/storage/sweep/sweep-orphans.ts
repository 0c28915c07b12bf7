import type { Clock } from '../../ports/clock.port';
import type { Logger } from '../../ports/logger.port';
import type { ListedObject, ObjectLister } from '../../ports/object-lister.port';
import type { ObjectReferences } from '../../ports/object-references.port';
import type { ObjectStore } from '../../ports/object-store.port';
import type { LeftoverKind, StagedLeftover, StagingLeftovers } from '../../ports/staging-leftovers.port';

/** object: an object at a key nothing refers to (a derived file without its row, a clear copy an encryption left). */
export type OrphanKind = 'object' | LeftoverKind;

export const ORPHAN_KINDS: readonly OrphanKind[] = ['object', 'partial_write', 'staged_upload'];

/** One store the sweep walks: the primary, and the backup copies' store when there is one. */
export interface SweptStore {
  /** For the log: primary | backup. */
  role: string;
  store: ObjectStore;
  objects: ObjectLister;
  leftovers: StagingLeftovers | null;
}

export interface OrphanSweepObserver {
  removed(kind: OrphanKind, count: number, bytes: number): void;
}

export interface OrphanSweepReport {
  /** Objects and leftovers looked at. */
  scanned: number;
  removed: Record<OrphanKind, number>;
  bytesRemoved: Record<OrphanKind, number>;
  /** Orphans whose removal failed (left for the next sweep). */
  failed: number;
}

/** Keys asked about at once. */
const BATCH = 500;

/**
 * Removes what no row and no live upload session refers to and that is older than the grace period:
 * objects (derived files whose row was never written, clear objects an encryption at completion left),
 * the temporaries of cut puts, and the staged bytes of uploads whose session is gone or expired. It
 * errs on keeping: anything the database refers to anywhere stays, anything younger than the grace
 * stays (a write in progress, a row about to be inserted), and a store or database that fails stops
 * that store's pass without removing anything more.
 */
export class SweepOrphans {
  constructor(
    private readonly stores: readonly SweptStore[],
    private readonly references: ObjectReferences,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly options: { graceMs: number },
    private readonly observer: OrphanSweepObserver | null = null,
  ) {}

  async execute(): Promise<OrphanSweepReport> {
    const report: OrphanSweepReport = { scanned: 0, removed: zeroes(), bytesRemoved: zeroes(), failed: 0 };
    const now = this.clock.now();
    const cutoff = now.getTime() - this.options.graceMs;
    for (const swept of this.stores) {
      try {
        await this.sweepObjects(swept, now, cutoff, report);
        if (swept.leftovers) await this.sweepLeftovers(swept, swept.leftovers, now, cutoff, report);
      } catch (error) {
        report.failed += 1;
        this.logger.warn({ store: swept.role, err: messageOf(error) }, 'orphan sweep of a store stopped; the next sweep retries');
      }
    }
    this.logger.info(
      { scanned: report.scanned, removed: report.removed, bytes_removed: report.bytesRemoved, failed: report.failed, grace_ms: this.options.graceMs },
      'orphan sweep',
    );
    return report;
  }

  private async sweepObjects(swept: SweptStore, now: Date, cutoff: number, report: OrphanSweepReport): Promise<void> {
    let batch: ListedObject[] = [];
    const flush = async () => {
      const candidates = batch;
      batch = [];
      if (candidates.length === 0) return;
      const referenced = await this.references.referenced(
        candidates.map((o) => o.key),
        now,
      );
      for (const object of candidates) {
        if (referenced.has(object.key)) continue;
        await this.remove(report, 'object', object.size, { store: swept.role, key: object.key, last_modified: object.lastModified.toISOString() }, () => swept.store.delete(object.key));
      }
    };
    for await (const object of swept.objects.list()) {
      report.scanned += 1;
      if (object.lastModified.getTime() >= cutoff) continue;
      batch.push(object);
      if (batch.length >= BATCH) await flush();
    }
    await flush();
  }

  private async sweepLeftovers(swept: SweptStore, leftovers: StagingLeftovers, now: Date, cutoff: number, report: OrphanSweepReport): Promise<void> {
    // Read once, before the listing: a session begun after it has staged nothing older than the grace.
    const live = new Set((await this.references.liveUploadIds(now)).map((id) => leftovers.uploadTagOf(id)));
    const orphans: StagedLeftover[] = [];
    for await (const leftover of leftovers.leftovers()) {
      report.scanned += 1;
      if (leftover.lastModified.getTime() >= cutoff) continue;
      if (leftover.uploadTag !== null && live.has(leftover.uploadTag)) continue;
      orphans.push(leftover);
    }
    // Removed after the listing, which some providers would page through wrongly while it shrinks.
    for (const leftover of orphans) {
      await this.remove(report, leftover.kind, leftover.size, { store: swept.role, leftover: leftover.ref, last_modified: leftover.lastModified.toISOString() }, () =>
        leftovers.removeLeftover(leftover),
      );
    }
  }

  private async remove(report: OrphanSweepReport, kind: OrphanKind, bytes: number, what: Record<string, string>, removal: () => Promise<void>): Promise<void> {
    try {
      await removal();
    } catch (error) {
      report.failed += 1;
      this.logger.warn({ kind, ...what, err: messageOf(error) }, 'could not remove an orphan; the next sweep retries');
      return;
    }
    report.removed[kind] += 1;
    report.bytesRemoved[kind] += bytes;
    this.observer?.removed(kind, 1, bytes);
    this.logger.info({ kind, bytes, ...what }, 'orphan removed');
  }
}

function zeroes(): Record<OrphanKind, number> {
  return { object: 0, partial_write: 0, staged_upload: 0 };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
