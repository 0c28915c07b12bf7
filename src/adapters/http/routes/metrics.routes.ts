import type { RouteBuilder } from '../route-builder';
import { z } from '../openapi/zod';

export interface MetricsSource {
  render(): Promise<string>;
  readonly contentType: string;
}

/** Prometheus exposition for admins; the same registry is served without auth on PROMETHEUS_PORT. */
export function metricsRoutes(routes: RouteBuilder, metrics: MetricsSource): void {
  routes.define({
    method: 'get',
    path: '/metrics',
    tag: 'Health',
    auth: 'admin',
    summary: 'Prometheus metrics (admin)',
    responses: { 200: { description: 'Prometheus text exposition', schema: z.string(), contentType: 'text/plain' } },
    handler: async (_input, { res }) => {
      const text = await metrics.render();
      res.status(200).setHeader('Content-Type', metrics.contentType);
      res.send(text);
    },
  });
}
