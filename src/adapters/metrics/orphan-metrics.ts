import { Counter, type Registry } from 'prom-client';
import { ORPHAN_KINDS, type OrphanKind, type OrphanSweepObserver } from '../../application/storage/sweep/sweep-orphans';

/** `orphan_objects_removed_total{kind}`: what the orphan sweep removed (object, partial_write, staged_upload). */
export function orphanSweepCounter(registry: Registry): OrphanSweepObserver {
  const removed = new Counter<'kind'>({
    name: 'orphan_objects_removed_total',
    help: 'Objects and staged parts the orphan sweep removed (no row or live session referred to them, older than ORPHAN_GRACE_MS), by kind',
    labelNames: ['kind'],
    registers: [registry],
  });
  // Every kind shows from the first scrape, at 0 until something is removed.
  for (const kind of ORPHAN_KINDS) removed.inc({ kind }, 0);
  return {
    removed(kind: OrphanKind, count: number) {
      removed.inc({ kind }, count);
    },
  };
}
