import type { DependencyProbe } from '../ports/dependency-probe.port';
import type { DependencyCheck, HealthReport } from '../../domain/health/health-report';
import { overallStatus } from '../../domain/health/health-report';
import { DomainError } from '../../domain/shared/domain-error';
import type { NotReadyReason } from '../../domain/health/errors';

/** What readiness needs beyond the critical probes. */
export interface ReadinessInputs {
  /** How many known migrations the database has not applied (rejects when it cannot be read). */
  pendingMigrations?: () => Promise<number>;
  /** True once the process has begun its graceful shutdown. */
  shuttingDown?: () => boolean;
}

export interface Readiness {
  ready: boolean;
  reasons: NotReadyReason[];
}

/** Runs every probe in parallel, each bounded by the timeout, so health never hangs. */
export class CheckHealth {
  constructor(
    private readonly probes: readonly DependencyProbe[],
    private readonly timeoutMs: number,
    private readonly readinessInputs: ReadinessInputs = {},
  ) {}

  async execute(): Promise<HealthReport> {
    const results = await Promise.all(
      this.probes.map(async (probe) => ({ probe, check: await this.bounded(probe) })),
    );
    const checks: Record<string, DependencyCheck> = {};
    for (const { probe, check } of results) checks[probe.name] = check;
    return {
      status: overallStatus(results.map(({ probe, check }) => ({ critical: probe.critical, check }))),
      checks,
    };
  }

  /** Only the critical probes: is the service able to serve requests at all? */
  async ready(): Promise<boolean> {
    return (await this.readiness()).ready;
  }

  /**
   * Should a balancer send this instance requests: not shutting down (answered without calling
   * anything), the critical probes (PostgreSQL) not DOWN, and no migration pending. Each bounded.
   */
  async readiness(): Promise<Readiness> {
    if (this.readinessInputs.shuttingDown?.()) return { ready: false, reasons: ['shutting_down'] };
    const critical = this.probes.filter((p) => p.critical);
    const [checks, pending] = await Promise.all([
      Promise.all(critical.map(async (p) => ({ name: p.name, check: await this.bounded(p) }))),
      this.pendingMigrations(),
    ]);
    const reasons: NotReadyReason[] = [];
    for (const { name, check } of checks) if (check.status === 'DOWN') reasons.push(`${name}_down`);
    if (pending === null) reasons.push('migrations_unknown');
    else if (pending > 0) reasons.push('migrations_pending');
    // A later shutdown wins: the answer must not say ready once SIGTERM has arrived.
    if (this.readinessInputs.shuttingDown?.()) return { ready: false, reasons: ['shutting_down'] };
    return { ready: reasons.length === 0, reasons };
  }

  /** null when the count could not be read in time. */
  private async pendingMigrations(): Promise<number | null> {
    const count = this.readinessInputs.pendingMigrations;
    if (!count) return 0;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), this.timeoutMs);
    });
    try {
      return await Promise.race([count().catch(() => null), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async bounded(probe: DependencyProbe): Promise<DependencyCheck> {
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<DependencyCheck>((resolve) => {
      timer = setTimeout(
        () => resolve({ status: 'DOWN', responseTimeMs: Date.now() - started, facts: {}, error: `no answer within ${this.timeoutMs}ms` }),
        this.timeoutMs,
      );
    });
    const attempt = probe.check().catch(
      (error: unknown): DependencyCheck => ({
        status: 'DOWN',
        responseTimeMs: Date.now() - started,
        facts: {},
        // Only domain errors carry messages fit for the public: a driver's message may name hosts.
        error: error instanceof DomainError ? error.message : 'check failed',
      }),
    );
    try {
      return await Promise.race([attempt, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * Remembers an "all applied" answer for `forMs`: migrations do not come undone between probes (an
 * in-place restore is the exception, seen within `forMs`), so readiness probes every few seconds need
 * not read the migration files and table each time. A pending count or a failure is never remembered.
 */
export function rememberUpToDate(forMs: number, count: () => Promise<number>, now: () => number = Date.now): () => Promise<number> {
  let upToDateUntil = 0;
  return async () => {
    if (now() < upToDateUntil) return 0;
    const pending = await count();
    if (pending === 0) upToDateUntil = now() + forMs;
    return pending;
  };
}
