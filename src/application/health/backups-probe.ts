import type { DependencyCheck } from '../../domain/health/health-report';
import type { BackupHistory } from '../ports/backup-history.port';
import type { Clock } from '../ports/clock.port';
import type { DatabaseDumper } from '../ports/database-dumper.port';
import type { DependencyProbe } from '../ports/dependency-probe.port';

const HOUR_MS = 3_600_000;

/**
 * /health's backups check. Not critical (the data is served without it), but DOWN when no backup can
 * be taken (pg_dump missing or too old) or, with a schedule, when the last completed backup is older
 * than BACKUP_MAX_AGE_HOURS: either way the next disaster would find no recent backup.
 */
export class BackupsProbe implements DependencyProbe {
  readonly name = 'backups';
  readonly critical = false;

  constructor(
    private readonly dumper: DatabaseDumper,
    private readonly history: BackupHistory,
    private readonly clock: Clock,
    private readonly settings: { scheduled: boolean; maxAgeHours: number },
  ) {}

  async check(): Promise<DependencyCheck> {
    const started = Date.now();
    const [tools, last] = await Promise.all([this.dumper.tools(), this.history.lastCompleted()]);
    const ageHours = last ? (this.clock.now().getTime() - last.completedAt.getTime()) / HOUR_MS : null;
    const facts: Record<string, unknown> = {
      tool_available: tools.available,
      tool_version: tools.available ? tools.version : tools.foundVersion,
      scheduled: this.settings.scheduled,
      last_backup_id: last?.id ?? null,
      last_backup_at: last?.completedAt.toISOString() ?? null,
      last_backup_age_hours: ageHours === null ? null : Math.round(ageHours * 100) / 100,
      max_age_hours: this.settings.maxAgeHours,
    };
    const problems: string[] = [];
    if (!tools.available) {
      problems.push(`${tools.reason}; install ${tools.package}`);
      facts.package = tools.package;
    }
    if (this.settings.scheduled && (ageHours === null || ageHours > this.settings.maxAgeHours)) {
      problems.push(ageHours === null ? 'no backup has completed yet' : `the last completed backup is ${Math.round(ageHours)}h old (max ${this.settings.maxAgeHours}h)`);
    }
    return {
      status: problems.length > 0 ? 'DOWN' : 'UP',
      responseTimeMs: Date.now() - started,
      facts,
      ...(problems.length > 0 ? { error: problems.join('; ') } : {}),
    };
  }
}
