import type { DependencyProbe } from '../ports/dependency-probe.port';
import type { KeyValueStore } from '../ports/key-value-store.port';
import type { DependencyCheck } from '../../domain/health/health-report';

/** /health's redis check. Not critical: without Redis the service degrades, it does not stop. */
export class KeyValueProbe implements DependencyProbe {
  readonly name = 'redis';
  readonly critical = false;

  constructor(private readonly store: KeyValueStore) {}

  async check(): Promise<DependencyCheck> {
    const started = Date.now();
    const stats = await this.store.stats();
    return {
      status: 'UP',
      responseTimeMs: Date.now() - started,
      facts: {
        mode: stats.mode,
        memory: stats.usedMemoryBytes === null ? null : formatBytes(stats.usedMemoryBytes),
      },
    };
  }
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1)}GB`;
  if (bytes >= 1024 ** 2) return `${Math.round(bytes / 1024 ** 2)}MB`;
  return `${Math.round(bytes / 1024)}KB`;
}
