import { consoleRoutes } from '../../adapters/http/routes/console.routes';
import { developmentTokenMinter } from '../../adapters/jwt/development-token-minter';
import { registerTransformationJobGauge } from '../../adapters/metrics/job-metrics';
import { MetricsSummarizer } from '../../adapters/metrics/metrics-summary';
import type { PrometheusMetrics } from '../../adapters/metrics/prometheus-metrics';
import type { MetricsSource } from '../../adapters/http/routes/metrics.routes';
import { pgTransformationJobCounts } from '../../adapters/postgres/pg-transformation-job-counts';
import type { PgSqlDatabase } from '../../adapters/postgres/pg-sql-database';
import type { Capability } from '../background-task';
import type { Bind } from '../binder';
import type { Config } from '../config';
import { TOKENS } from '../tokens';

/**
 * What the operator console (/console) needs from the API: the metrics summary its charts poll, the
 * transformation job gauge it shows, and (outside production, with a shared secret) the development
 * sign-in. The console's files themselves are served by the HTTP app (container.ts).
 */
export function bindConsole(bind: Bind): void {
  bind(
    TOKENS.ConsoleModule,
    (config: Config, metrics: PrometheusMetrics, source: MetricsSource, db: PgSqlDatabase): Capability => {
      registerTransformationJobGauge(metrics.registry, pgTransformationJobCounts(db));
      const summarizer = new MetricsSummarizer(() => source.render());
      const secret = config.auth.jwtSecret;
      const devTokens =
        config.env !== 'production' && secret
          ? developmentTokenMinter({ secret, issuer: config.auth.issuer, audience: config.auth.audience })
          : undefined;
      return {
        mountRoutes(routes) {
          consoleRoutes(routes, { summary: () => summarizer.summary(), ...(devTokens ? { devTokens } : {}) });
        },
        tasks: [],
      };
    },
    [TOKENS.Config, TOKENS.Metrics, TOKENS.MetricsSource, TOKENS.PgSqlDatabase],
  );
}
