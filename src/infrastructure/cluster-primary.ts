import cluster, { type Worker } from 'node:cluster';
import { randomUUID } from 'node:crypto';
import { AggregatorRegistry, Counter, Gauge, Registry } from 'prom-client';
import type { Logger } from '../application/ports/logger.port';
import { METRICS_COLLECT, METRICS_COLLECTED, METRICS_READY, METRICS_REQUEST, METRICS_RESPONSE, WORKER_SLOT_VARIABLE } from './cluster-worker';
import type { RunningServer } from './http-server';
import { startMetricsServer } from './metrics-server';

export interface PrimaryOptions {
  workers: number;
  serviceName: string;
  /** The workers' own grace (SHUTDOWN_TIMEOUT_MS); they are killed if still there well after it. */
  shutdownTimeoutMs: number;
  /** PROMETHEUS_PORT / PROMETHEUS_HOST: served here, aggregated over every worker (port 0: off). */
  metrics: { port: number; host: string };
  logger: Logger;
  /** Restart backoff: the first delay, the ceiling, and the uptime after which a worker counts as healthy again. */
  restart?: { firstDelayMs: number; maxDelayMs: number; healthyAfterMs: number };
  exit?: (code: number) => void;
}

const DEFAULT_RESTART = { firstDelayMs: 500, maxDelayMs: 30_000, healthyAfterMs: 30_000 };
/** A worker that has not answered a metrics collection by then is left out of it. */
const COLLECT_TIMEOUT_MS = 3_000;
/** Beyond the workers' grace: time for their background tasks and pools to close. */
const SHUTDOWN_MARGIN_MS = 15_000;

interface Slot {
  id: number;
  worker: Worker | null;
  startedAt: number;
  /** Deaths in a row without a healthy stretch between them: the next delay doubles with each. */
  failures: number;
  restartTimer: NodeJS.Timeout | null;
}

/**
 * The primary process of WORKERS above 1 (node:cluster): forks the workers, which share the port and
 * serve every request; restarts one that dies, after a delay that doubles while it keeps dying and
 * resets once it stayed up a while; passes SIGTERM and SIGINT on for their graceful shutdown and exits
 * after them; serves the aggregated metrics. It opens no database connection and answers no request.
 */
export async function runPrimary(options: PrimaryOptions): Promise<void> {
  const { logger } = options;
  const restart = options.restart ?? DEFAULT_RESTART;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const slots: Slot[] = Array.from({ length: options.workers }, (_, i) => ({ id: i + 1, worker: null, startedAt: 0, failures: 0, restartTimer: null }));
  const bySlot = new Map<Worker, Slot>();
  let stopping = false;

  const metrics = primaryMetrics(options.serviceName, () => slots.filter((s) => s.worker !== null).length);
  const collector = new MetricsCollector(logger);
  const render = async () => `${await collector.collect()}\n${await metrics.registry.metrics()}`;

  const fork = (slot: Slot) => {
    slot.restartTimer = null;
    slot.startedAt = Date.now();
    const worker = cluster.fork({ [WORKER_SLOT_VARIABLE]: String(slot.id) });
    slot.worker = worker;
    bySlot.set(worker, slot);
    worker.on('error', (error: Error) => logger.warn({ worker: slot.id, err: { message: error.message } }, 'worker channel error'));
  };

  cluster.on('online', (worker) => {
    const slot = bySlot.get(worker);
    if (slot) logger.info({ worker: slot.id, worker_pid: worker.process.pid }, 'worker started');
  });
  cluster.on('listening', (worker) => {
    const slot = bySlot.get(worker);
    if (slot) logger.info({ worker: slot.id, worker_pid: worker.process.pid }, 'worker listening');
  });

  cluster.on('exit', (worker, code, signal) => {
    const slot = bySlot.get(worker);
    bySlot.delete(worker);
    collector.forget(worker);
    if (!slot || slot.worker !== worker) return;
    slot.worker = null;
    if (stopping) {
      logger.info({ worker: slot.id, worker_pid: worker.process.pid, code, signal }, 'worker stopped');
      return;
    }
    if (Date.now() - slot.startedAt >= restart.healthyAfterMs) slot.failures = 0;
    const delayMs = Math.min(restart.maxDelayMs, restart.firstDelayMs * 2 ** slot.failures);
    slot.failures++;
    metrics.restarts.inc({ worker: String(slot.id) });
    logger.error({ worker: slot.id, worker_pid: worker.process.pid, code, signal, restart_in_ms: delayMs, deaths_in_a_row: slot.failures }, 'worker died; restarting it');
    slot.restartTimer = setTimeout(() => fork(slot), delayMs);
  });

  // A worker's GET /metrics (admin): the same aggregation as PROMETHEUS_PORT.
  cluster.on('message', (worker, message: { type?: string; id?: string } | null) => {
    collector.receive(worker, message);
    if (message?.type !== METRICS_REQUEST) return;
    render().then(
      (text) => worker.isConnected() && worker.send({ type: METRICS_RESPONSE, id: message.id, text }),
      (error: Error) => worker.isConnected() && worker.send({ type: METRICS_RESPONSE, id: message.id, error: error.message }),
    );
  });

  let metricsServer: RunningServer | null = null;
  const shutdown = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, workers: slots.filter((s) => s.worker).length }, 'primary: stopping the workers');
    for (const slot of slots) {
      if (slot.restartTimer) clearTimeout(slot.restartTimer);
      slot.restartTimer = null;
      slot.worker?.process.kill(signal);
    }
    const exitedCleanly = await allExited(slots, signal, options.shutdownTimeoutMs + SHUTDOWN_MARGIN_MS, logger);
    await metricsServer?.stop(1_000);
    logger.info({ clean: exitedCleanly }, 'primary: every worker has exited');
    exit(exitedCleanly ? 0 : 1);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  logger.info({ workers: options.workers }, 'primary: starting the workers (they serve the port; this process serves no requests)');
  for (const slot of slots) fork(slot);

  if (options.metrics.port > 0) {
    metricsServer = await startMetricsServer({ render, contentType: Registry.PROMETHEUS_CONTENT_TYPE }, options.metrics.port, options.metrics.host, logger).then(
      (server) => {
        logger.info({ port: server.port, host: options.metrics.host }, 'metrics listening (every worker, aggregated)');
        return server;
      },
      (error: Error) => {
        logger.error({ err: { message: error.message }, port: options.metrics.port }, 'metrics port unavailable; /metrics (admin) still serves');
        return null;
      },
    );
  }
}

/**
 * Resolves once no worker is left, true when each exited with code 0 (or from `signal` itself: one
 * still starting has no handler yet); a worker still there after `timeoutMs` is killed (result false).
 */
function allExited(slots: Slot[], signal: NodeJS.Signals, timeoutMs: number, logger: Logger): Promise<boolean> {
  let clean = true;
  const living = slots.flatMap((slot) => (slot.worker ? [{ slot, worker: slot.worker }] : []));
  return new Promise((resolve) => {
    let left = living.length;
    if (left === 0) return resolve(true);
    const timer = setTimeout(() => {
      for (const { slot, worker } of living) {
        if (worker.isDead()) continue;
        logger.error({ worker: slot.id, worker_pid: worker.process.pid }, 'worker did not stop in time; killing it');
        worker.process.kill('SIGKILL');
      }
    }, timeoutMs);
    for (const { worker } of living) {
      const done = (code: number | null, by: string | null) => {
        if (code !== 0 && by !== signal) clean = false;
        if (--left === 0) {
          clearTimeout(timer);
          resolve(clean);
        }
      };
      if (worker.isDead()) done(worker.process.exitCode, worker.process.signalCode);
      else worker.once('exit', (code: number | null, by: string | null) => done(code, by));
    }
  });
}

type WorkerMetrics = Awaited<ReturnType<Registry['getMetricsAsJSON']>>;

/**
 * Asks every worker whose registry is ready for its figures and adds them up (prom-client's
 * AggregatorRegistry.aggregate: sums, unless a metric says otherwise). A worker that does not answer
 * in time (busy, dying) is left out of this collection and named in the log.
 */
class MetricsCollector {
  private readonly ready = new Set<Worker>();
  private readonly waiting = new Map<string, (worker: Worker, metrics: WorkerMetrics | null) => void>();

  constructor(private readonly logger: Logger) {}

  receive(worker: Worker, message: { type?: string; id?: string; metrics?: WorkerMetrics } | null): void {
    if (message?.type === METRICS_READY) this.ready.add(worker);
    if (message?.type === METRICS_COLLECTED && message.id) this.waiting.get(message.id)?.(worker, message.metrics ?? null);
  }

  forget(worker: Worker): void {
    this.ready.delete(worker);
  }

  async collect(): Promise<string> {
    const id = randomUUID();
    const asked = [...this.ready].filter((worker) => worker.isConnected());
    const answers = await new Promise<Map<Worker, WorkerMetrics>>((resolve) => {
      const received = new Map<Worker, WorkerMetrics>();
      const answered = new Set<Worker>();
      const done = () => {
        clearTimeout(timer);
        this.waiting.delete(id);
        resolve(received);
      };
      const timer = setTimeout(done, COLLECT_TIMEOUT_MS);
      this.waiting.set(id, (worker, metrics) => {
        answered.add(worker);
        if (metrics) received.set(worker, metrics);
        if (asked.every((w) => answered.has(w) || !w.isConnected())) done();
      });
      if (asked.length === 0) done();
      for (const worker of asked) worker.send({ type: METRICS_COLLECT, id });
    });
    const missing = asked.filter((worker) => !answers.has(worker));
    if (missing.length > 0) this.logger.warn({ worker_pids: missing.map((w) => w.process.pid) }, 'workers left out of a metrics collection (no answer)');
    return AggregatorRegistry.aggregate([...answers.values()]).metrics();
  }
}

/** The primary's own figures, next to the workers' aggregated ones. */
function primaryMetrics(serviceName: string, alive: () => number): { registry: Registry; restarts: Counter<'worker'> } {
  const registry = new Registry();
  registry.setDefaultLabels({ service: serviceName });
  const restarts = new Counter({ name: 'cluster_worker_restarts_total', help: 'Workers the primary restarted after they died, by worker slot', labelNames: ['worker'], registers: [registry] });
  new Gauge({
    name: 'cluster_workers',
    help: 'Worker processes alive',
    registers: [registry],
    collect() {
      this.set(alive());
    },
  });
  return { registry, restarts };
}
