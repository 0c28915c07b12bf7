import type { MetricsSummary } from '../../metrics/metrics-summary';
import { ErrorBodySchema } from '../openapi/error-schema';
import type { RouteBuilder } from '../route-builder';
import { DevTokenBodySchema, DevTokenResponseSchema, MetricsSummarySchema } from '../schemas/console.schemas';
import { Forbidden } from '../../../domain/shared/errors';

export interface ConsoleRouteDeps {
  summary(): Promise<MetricsSummary>;
  /** Development sign-in (never in production): mints a token for the fixed development user or admin. */
  devTokens?: (role: 'user' | 'admin') => Promise<{ token: string; expiresIn: number; userId: string }>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/** What the operator console (/console) needs that the rest of the API lacked. */
export function consoleRoutes(routes: RouteBuilder, deps: ConsoleRouteDeps): void {
  routes.define({
    method: 'get',
    path: '/api/v1/admin/metrics/summary',
    tag: 'Health',
    auth: 'admin',
    summary: 'The Prometheus registry summarized as JSON for the console\'s charts (admin)',
    description:
      'Read from the same exposition as GET /metrics (every worker\'s, aggregated, under WORKERS > 1). Rates, percentiles, the error ' +
      'ratio and the cache hit ratio are over the window since the previous summary; the first call has no window (nulls).',
    responses: { 200: { description: 'The summary', schema: MetricsSummarySchema } },
    handler: async () => ({ status: 200, body: await deps.summary(), headers: { 'Cache-Control': 'no-store' } }),
  });

  const mint = deps.devTokens;
  if (!mint) return;
  routes.define({
    method: 'post',
    path: '/api/v1/dev/token',
    tag: 'Health',
    auth: 'none',
    writes: false,
    summary: 'Development only: a token for the development user or admin (absent when NODE_ENV=production)',
    description:
      'Lets the console\'s "sign in as development admin/user" buttons work without an identity provider. Mounted only outside ' +
      'production with a JWT_SECRET (or the development secret), and answers only callers on the loopback interface.',
    body: DevTokenBodySchema,
    responses: {
      200: { description: 'A token signed like `npm run token`', schema: DevTokenResponseSchema },
      403: { description: 'FORBIDDEN: the caller is not on the loopback interface', schema: ErrorBodySchema },
    },
    handler: async ({ body }, { res }) => {
      if (!LOOPBACK.has(res.req.ip ?? '')) throw new Forbidden('Development tokens are only handed to callers on this machine');
      const minted = await mint(body.role);
      return {
        status: 200,
        headers: { 'Cache-Control': 'no-store' },
        body: { token: minted.token, token_type: 'Bearer', expires_in: minted.expiresIn, user_id: minted.userId, role: body.role },
      };
    },
  });
}
