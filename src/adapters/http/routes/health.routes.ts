import type { CheckHealth } from '../../../application/health/check-health';
import type { HealthReport } from '../../../domain/health/health-report';
import { ServiceNotReady } from '../../../domain/health/errors';
import type { RouteBuilder } from '../route-builder';
import { ErrorBodySchema } from '../openapi/error-schema';
import { HealthResponseSchema, ProbeResponseSchema } from '../schemas/health.schemas';

export interface HealthRouteDeps {
  checkHealth: CheckHealth;
  service: string;
  version: string;
  /** What the service runs in the background, listed so an operator can see it. */
  backgroundTasks?: () => ReadonlyArray<{ name: string; schedule: string; running: boolean }>;
}

/** /health (full report), /health/live (the process answers), /health/ready (fit to take requests). */
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
    description:
      'Answers from the event loop without calling any dependency: an answer within the probe timeout shows the loop is responsive. ' +
      'A database or Redis outage never fails it (restarting would not help); use /health/ready for that.',
    responses: { 200: { description: 'Alive', schema: ProbeResponseSchema } },
    handler: async () => ({ status: 200, body: { status: 'UP' }, headers: { 'Cache-Control': 'no-store' } }),
  });
  routes.define({
    method: 'get',
    path: '/health/ready',
    tag: 'Health',
    auth: 'none',
    rateLimit: false,
    summary: 'Readiness: PostgreSQL answers, migrations are applied, and the process is not shutting down',
    description:
      '200 when this instance should be sent requests. 503 SERVICE_NOT_READY otherwise, with details.reasons naming why: ' +
      'shutting_down (SIGTERM received), postgresql_down, migrations_pending (the database is behind the code), migrations_unknown ' +
      '(their state could not be read). Redis and object stores do not count: the service degrades without them. Bounded by HEALTH_CHECK_TIMEOUT_MS.',
    responses: {
      200: { description: 'Ready', schema: ProbeResponseSchema },
      503: { description: 'Not ready: SERVICE_NOT_READY, details.reasons lists why', schema: ErrorBodySchema },
    },
    handler: async () => {
      const readiness = await deps.checkHealth.readiness();
      if (!readiness.ready) throw new ServiceNotReady(readiness.reasons);
      return { status: 200, body: { status: 'UP' }, headers: { 'Cache-Control': 'no-store' } };
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
