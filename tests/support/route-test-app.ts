import type { Express } from 'express';
import type { Container } from 'inversify';
import type { RateLimitCounter } from '../../src/application/ports/rate-limit-counter.port';
import type { Logger } from '../../src/application/ports/logger.port';
import type { TokenVerifier } from '../../src/application/ports/token-verifier.port';
import { createApp } from '../../src/adapters/http/app';
import { authenticate } from '../../src/adapters/http/middleware/auth';
import { rateLimitByCaller } from '../../src/adapters/http/middleware/rate-limit';
import { ApiDocument } from '../../src/adapters/http/openapi/api-document';
import { RouteBuilder } from '../../src/adapters/http/route-builder';
import type { PrometheusMetrics } from '../../src/adapters/metrics/prometheus-metrics';
import { TOKENS } from '../../src/infrastructure/tokens';
import { buildTestContainer, type TestApp, type TestAppOptions } from './test-app';

/**
 * An app assembled as container.ts assembles the service's (same guards, middleware and error
 * handling, over the same wired adapters), serving the routes a test defines instead of the service's.
 * Do not also resolve TOKENS.HttpApp from `container`: without Redis the rate-limit counter belongs to one limiter.
 */
export async function buildRouteTestApp(define: (routes: RouteBuilder, container: Container) => void, options: TestAppOptions = {}): Promise<TestApp> {
  const wired = await buildTestContainer({ migrate: false, ...options });
  const { container, config } = wired;
  const routes = new RouteBuilder(new ApiDocument({ title: 'test', version: 'test', description: 'test routes' }), {
    authenticate: authenticate(container.get<TokenVerifier>(TOKENS.TokenVerifier)),
    rateLimit: rateLimitByCaller(config.rateLimit, container.get<RateLimitCounter>(TOKENS.RateLimitStore), container.get<Logger>(TOKENS.Logger)),
  });
  define(routes, container);
  const app: Express = createApp({
    serviceName: config.serviceName,
    bodyLimitBytes: config.http.bodyLimitBytes,
    logger: container.get<Logger>(TOKENS.Logger),
    observer: container.get<PrometheusMetrics>(TOKENS.Metrics),
    routes,
  });
  return { ...wired, app };
}
