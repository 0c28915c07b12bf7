import type { DependencyProbe } from '../ports/dependency-probe.port';
import type { DependencyCheck } from '../../domain/health/health-report';
import type { SqlDatabase } from '../ports/sql-database.port';

/** /health's postgresql check: a round trip plus the pool's connection counts. Critical. */
export class DatabaseProbe implements DependencyProbe {
  readonly name = 'postgresql';
  readonly critical = true;

  constructor(private readonly db: SqlDatabase) {}

  async check(): Promise<DependencyCheck> {
    const started = Date.now();
    await this.db.ping();
    const stats = this.db.poolStats();
    return {
      status: 'UP',
      responseTimeMs: Date.now() - started,
      facts: { connections: { active: stats.active, idle: stats.idle, total: stats.total, waiting: stats.waiting, max: stats.max } },
    };
  }
}
