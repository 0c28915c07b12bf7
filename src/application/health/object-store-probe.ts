import type { DependencyProbe } from '../ports/dependency-probe.port';
import type { ObjectStore } from '../ports/object-store.port';
import type { DependencyCheck } from '../../domain/health/health-report';

/** Free and total bytes where the provider can tell (a disk); cloud stores have no meaningful figure. */
export type CapacityReader = () => Promise<{ freeBytes: number; totalBytes: number } | null>;

/**
 * /health's check of one object store (primary or backup): a round trip, plus the free space where
 * the provider knows it. Not critical: metadata and the database gateway still serve without it.
 */
export class ObjectStoreProbe implements DependencyProbe {
  readonly critical = false;

  constructor(
    readonly name: string,
    private readonly store: ObjectStore,
    private readonly role: 'primary' | 'backup',
    private readonly capacity: CapacityReader = async () => null,
    /** More facts, e.g. the backup queue's length. */
    private readonly extraFacts: () => Record<string, unknown> = () => ({}),
  ) {}

  async check(): Promise<DependencyCheck> {
    const started = Date.now();
    await this.store.ping();
    const space = await this.capacity().catch(() => null);
    const facts: Record<string, unknown> = { role: this.role, ...this.extraFacts() };
    if (space && space.totalBytes > 0) facts.available_space = `${Math.round((space.freeBytes / space.totalBytes) * 100)}%`;
    return { status: 'UP', responseTimeMs: Date.now() - started, facts };
  }
}
