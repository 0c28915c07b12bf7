import { Gauge, type Registry } from 'prom-client';
import type { LeaseOperation } from '../../domain/database/lease';

/** `db_leases_open{operation_type}`: leases this instance holds, read when Prometheus scrapes. */
export function registerLeaseGauge(registry: Registry, count: () => Record<LeaseOperation, number>): void {
  new Gauge({
    name: 'db_leases_open',
    help: 'Connection leases held by this instance, by operation type',
    labelNames: ['operation_type'],
    registers: [registry],
    collect() {
      for (const [operation, n] of Object.entries(count())) this.set({ operation_type: operation }, n);
    },
  });
}
