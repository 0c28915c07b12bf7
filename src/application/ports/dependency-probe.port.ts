import type { DependencyCheck } from '../../domain/health/health-report';

/**
 * One dependency /health reports on. `critical` probes decide DOWN (the service is unusable without
 * them); the others can only make it DEGRADED. The health use case bounds every check with a timeout.
 */
export interface DependencyProbe {
  readonly name: string;
  readonly critical: boolean;
  check(): Promise<DependencyCheck>;
}
