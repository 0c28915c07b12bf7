export type HealthStatus = 'UP' | 'DEGRADED' | 'DOWN';

/** What one dependency reported: its status, how long it took, and check-specific facts. */
export interface DependencyCheck {
  status: HealthStatus;
  responseTimeMs: number;
  /** Check-specific facts (connections, memory, migrations), already in wire shape. */
  facts: Record<string, unknown>;
  error?: string;
}

export interface HealthReport {
  status: HealthStatus;
  checks: Record<string, DependencyCheck>;
}

/**
 * A critical dependency that is not UP takes the service DOWN; anything else not UP only degrades it.
 */
export function overallStatus(checks: Array<{ critical: boolean; check: DependencyCheck }>): HealthStatus {
  if (checks.some(({ critical, check }) => critical && check.status === 'DOWN')) return 'DOWN';
  if (checks.some(({ check }) => check.status !== 'UP')) return 'DEGRADED';
  return 'UP';
}
