import type { MetricsSource } from '../adapters/http/routes/metrics.routes';
import type { Logger } from '../application/ports/logger.port';
import { listen, type RunningServer } from './http-server';

/**
 * The Prometheus scrape port: the same registry as the admin GET /metrics, without auth, which is
 * why it listens on PROMETHEUS_HOST (127.0.0.1 by default) rather than on every interface.
 */
export function startMetricsServer(metrics: MetricsSource, port: number, host: string, logger: Logger): Promise<RunningServer> {
  return listen(
    async (_req, res) => {
      try {
        const body = await metrics.render();
        res.writeHead(200, { 'Content-Type': metrics.contentType }).end(body);
      } catch (error) {
        // Without this the scrape would hang until Prometheus gives up, with nothing in the logs.
        logger.error({ err: error }, 'rendering metrics failed');
        res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end('metrics unavailable\n');
      }
    },
    port,
    host,
  );
}
