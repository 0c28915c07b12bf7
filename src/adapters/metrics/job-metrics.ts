import { Gauge, type Registry } from 'prom-client';

export interface JobCounts {
  queued: number;
  processing: number;
}

/**
 * `transformation_jobs{status}`: transformation jobs waiting and running, read from the shared
 * database when Prometheus scrapes. Every worker reads the same rows, so the cluster aggregation
 * keeps one worker's figure (max) instead of adding them up. A failed read keeps the last figures:
 * a database outage must not break the whole scrape.
 */
export function registerTransformationJobGauge(registry: Registry, counts: () => Promise<JobCounts>): void {
  new Gauge({
    name: 'transformation_jobs',
    help: 'Transformation jobs by status (queued, processing), across every instance',
    labelNames: ['status'],
    aggregator: 'max',
    registers: [registry],
    async collect() {
      const read = await counts().catch(() => null);
      if (!read) return;
      this.set({ status: 'queued' }, read.queued);
      this.set({ status: 'processing' }, read.processing);
    },
  });
}
