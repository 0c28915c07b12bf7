import cluster from 'node:cluster';
import { randomUUID } from 'node:crypto';
import { Registry } from 'prom-client';
import type { MetricsSource } from '../adapters/http/routes/metrics.routes';

/** The environment variable the primary hands each worker its slot (1..WORKERS) in. */
export const WORKER_SLOT_VARIABLE = 'VB_WORKER_SLOT';
export const METRICS_REQUEST = 'vb:metrics-request';
export const METRICS_RESPONSE = 'vb:metrics-response';
/** Worker → primary: its registry answers from now on. Primary → worker: a collection; worker → primary: its figures. */
export const METRICS_READY = 'vb:metrics-ready';
export const METRICS_COLLECT = 'vb:metrics-collect';
export const METRICS_COLLECTED = 'vb:metrics-collected';
const METRICS_TIMEOUT_MS = 10_000;

/** This process's slot when it is a cluster worker forked by the primary; null otherwise. */
export function workerSlot(): number | null {
  if (!cluster.isWorker) return null;
  const slot = Number(process.env[WORKER_SLOT_VARIABLE]);
  return Number.isInteger(slot) && slot > 0 ? slot : (cluster.worker?.id ?? null);
}

/**
 * Answers the primary's collections with this worker's registry (as JSON, which prom-client's
 * AggregatorRegistry adds up), and tells the primary it may ask: a worker still starting is left out
 * of the aggregation rather than holding it up.
 */
export function shareMetricsWithPrimary(registry: Registry): void {
  process.on('message', (message: { type?: string; id?: string } | null) => {
    if (message?.type !== METRICS_COLLECT) return;
    registry.getMetricsAsJSON().then(
      (metrics) => process.send?.({ type: METRICS_COLLECTED, id: message.id, metrics }),
      (error: Error) => process.send?.({ type: METRICS_COLLECTED, id: message.id, error: error.message }),
    );
  });
  process.send?.({ type: METRICS_READY });
}

interface MetricsResponse {
  type: typeof METRICS_RESPONSE;
  id: string;
  text?: string;
  contentType?: string;
  error?: string;
}

/**
 * GET /metrics in a worker: every worker's figures, aggregated by the primary (asked over the
 * cluster's IPC channel), as PROMETHEUS_PORT serves them, whichever worker the request reached.
 */
export class ClusterMetricsSource implements MetricsSource {
  readonly contentType: string = Registry.PROMETHEUS_CONTENT_TYPE;

  render(): Promise<string> {
    const id = randomUUID();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => finish(new Error('the primary process did not answer for the metrics')), METRICS_TIMEOUT_MS);
      const onMessage = (message: unknown) => {
        const response = message as Partial<MetricsResponse> | null;
        if (response?.type !== METRICS_RESPONSE || response.id !== id) return;
        if (response.error !== undefined || typeof response.text !== 'string') finish(new Error(`aggregating the workers' metrics failed: ${response.error ?? 'no text'}`));
        else finish(null, response.text);
      };
      const finish = (error: Error | null, text?: string) => {
        clearTimeout(timer);
        process.off('message', onMessage);
        if (error) reject(error);
        else resolve(text ?? '');
      };
      process.on('message', onMessage);
      if (!process.send || !process.connected) finish(new Error('no channel to the primary process'));
      else process.send({ type: METRICS_REQUEST, id });
    });
  }
}
