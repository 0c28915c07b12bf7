import type { CheckHealth } from '../../../application/health/check-health';
import type { HealthReport } from '../../../domain/health/health-report';
import type { RouteBuilder } from '../route-builder';
import { HealthResponseSchema, ProbeResponseSchema } from '../schemas/health.schemas';

export interface HealthRouteDeps {
  checkHealth: CheckHealth;
  service: string;
  version: string;
  /** What the service runs in the background, listed so an operator can see it. */
  backgroundTasks?: () => ReadonlyArray<{ name: string; schedule: string; running: boolean }>;
}

/** /health (full report), /health/live (the process answers), /health/ready (critical deps are up). */
export function healthRoutes(routes: RouteBuilder, deps: HealthRouteDeps): void {
  routes.define({
    method: 'get',
    path: '/health',
    tag: 'Health',
    auth: 'none',
    rateLimit: false,
    summary: 'Service and dependency health',
    description: '200 when usable (UP or DEGRADED), 503 when PostgreSQL is down. Every check is bounded by HEALTH_CHECK_TIMEOUT_MS.',
    responses: {
      200: { description: 'UP or DEGRADED', schema: HealthResponseSchema },
      503: { description: 'DOWN', schema: HealthResponseSchema },
    },
    handler: async () => {
      const report = await deps.checkHealth.execute();
      return { status: report.status === 'DOWN' ? 503 : 200, body: present(report, deps), headers: { 'Cache-Control': 'no-store' } };
    },
  });
  routes.define({
    method: 'get',
    path: '/health/live',
    tag: 'Health',
    auth: 'none',
    rateLimit: false,
    summary: 'Liveness: the process is running and answering',
    responses: { 200: { description: 'Alive', schema: ProbeResponseSchema } },
    handler: async () => ({ status: 200, body: { status: 'UP' }, headers: { 'Cache-Control': 'no-store' } }),
  });
  routes.define({
    method: 'get',
    path: '/health/ready',
    tag: 'Health',
    auth: 'none',
    rateLimit: false,
    summary: 'Readiness: the critical dependencies (PostgreSQL) answer',
    responses: {
      200: { description: 'Ready', schema: ProbeResponseSchema },
      503: { description: 'Not ready', schema: ProbeResponseSchema },
    },
    handler: async () => {
      const ready = await deps.checkHealth.ready();
      return { status: ready ? 200 : 503, body: { status: ready ? 'UP' : 'DOWN' }, headers: { 'Cache-Control': 'no-store' } };
    },
  });
}

/** Field names follow the seed (`responseTime` included) since the seed's body is the contract. */
function present(report: HealthReport, deps: HealthRouteDeps) {
  const checks: Record<string, unknown> = {};
  for (const [name, check] of Object.entries(report.checks)) {
    checks[name] = {
      status: check.status,
      responseTime: `${Math.round(check.responseTimeMs)}ms`,
      ...check.facts,
      ...(check.error ? { error: check.error } : {}),
    };
  }
  const tasks = deps.backgroundTasks?.();
  return {
    status: report.status,
    timestamp: new Date().toISOString(),
    service: deps.service,
    version: deps.version,
    checks,
    ...(tasks ? { background_tasks: tasks.map(({ name, schedule, running }) => ({ name, schedule, running })) } : {}),
  };
}
