import type { DependencyProbe } from '../ports/dependency-probe.port';
import type { DependencyCheck, HealthReport } from '../../domain/health/health-report';
import { overallStatus } from '../../domain/health/health-report';
import { DomainError } from '../../domain/shared/domain-error';

/** Runs every probe in parallel, each bounded by the timeout, so health never hangs. */
export class CheckHealth {
  constructor(
    private readonly probes: readonly DependencyProbe[],
    private readonly timeoutMs: number,
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
    const critical = this.probes.filter((p) => p.critical);
    const checks = await Promise.all(critical.map((p) => this.bounded(p)));
    return checks.every((c) => c.status !== 'DOWN');
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
