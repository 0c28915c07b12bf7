import type { DependencyProbe } from '../ports/dependency-probe.port';
import type { DependencyCheck } from '../../domain/health/health-report';
import type { GetMigrationStatus } from '../database/migrations/get-migration-status';

/**
 * /health's migrations check. Not critical: a schema behind the code degrades the service, and an
 * applied script changed since is worth an operator's look, but neither stops it.
 */
export class MigrationsProbe implements DependencyProbe {
  readonly name = 'migrations';
  readonly critical = false;

  constructor(private readonly getStatus: GetMigrationStatus) {}

  async check(): Promise<DependencyCheck> {
    const started = Date.now();
    const status = await this.getStatus.execute();
    const pending = status.pending.length;
    return {
      status: pending > 0 || status.modified.length > 0 ? 'DEGRADED' : 'UP',
      responseTimeMs: Date.now() - started,
      facts: {
        migrations: pending > 0 ? 'pending' : 'up_to_date',
        current_version: status.currentVersion,
        pending_count: pending,
        modified_count: status.modified.length,
      },
    };
  }
}
