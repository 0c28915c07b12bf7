import 'reflect-metadata';
import type { RequestListener } from 'node:http';
import type { Express } from 'express';
import type { Logger as PinoLogger } from 'pino';
import type { PrometheusMetrics } from '../adapters/metrics/prometheus-metrics';
import type { BackgroundTasks } from './background-tasks';
import { runPrimary } from './cluster-primary';
import { ClusterMetricsSource, shareMetricsWithPrimary, workerSlot } from './cluster-worker';
import { buildContainer, warmUp, type Overrides } from './container';
import { ConfigError, loadConfig, type Config } from './config';
import { withDevelopmentSecret } from './dev-secret';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres';
import { listen, type RunningServer } from './http-server';
import type { Lifecycle } from './lifecycle';
import { createLogger } from './logger';
import { startMetricsServer } from './metrics-server';
import { findProjectRoot, readPackageVersion } from './paths';
import { TOKENS } from './tokens';

async function main(): Promise<void> {
  const root = findProjectRoot();
  let config: Config;
  try {
    config = withDevelopmentSecret(loadConfig(process.env, { projectRoot: root, version: readPackageVersion(root) }));
  } catch (error) {
    process.stderr.write(`${error instanceof ConfigError ? error.message : String(error)}\n`);
    process.exit(78); // EX_CONFIG
  }
  const worker = workerSlot();
  if (config.cluster.workers > 1 && worker === null) {
    // WORKERS above 1: this process only starts, restarts and stops the workers (cluster-primary.ts).
    const logger = createLogger({ level: config.logLevel, service: config.serviceName }).child({ pid: process.pid, role: 'primary' });
    return runPrimary({ workers: config.cluster.workers, serviceName: config.serviceName, shutdownTimeoutMs: config.http.shutdownTimeoutMs, metrics: config.metrics, logger });
  }
  config = { ...config, cluster: { ...config.cluster, worker } };
  const base = createLogger({ level: config.logLevel, service: config.serviceName });
  // A worker's every line says which process wrote it.
  const logger = worker === null ? base : base.child({ pid: process.pid, worker });
  if (!config.fileEncryption.keyring) {
    const log = config.env === 'production' ? logger.warn.bind(logger) : logger.info.bind(logger);
    log('file encryption at rest is off (no ENCRYPTION_KEYS): new files are stored in clear');
  } else {
    logger.info({ active_key_id: config.fileEncryption.keyring.activeId, keys: config.fileEncryption.keyring.ids.length }, 'file encryption at rest is on');
  }

  let embedded: EmbeddedPostgres | undefined;
  if (!config.databaseUrl) {
    embedded = await startEmbeddedPostgres(config.dataDir, logger);
    config = { ...config, databaseUrl: embedded.url };
  }

  const overrides: Overrides = { [TOKENS.Logger]: logger };
  if (worker !== null) overrides[TOKENS.MetricsSource] = new ClusterMetricsSource();
  const container = buildContainer(config, overrides);
  const lifecycle = container.get<Lifecycle>(TOKENS.Lifecycle);
  if (embedded) {
    const cluster = embedded;
    // Registered first, so it closes last, after the pool that talks to it.
    lifecycle.onClose('embedded postgresql', () => cluster.stop());
  }
  // Signals are handled from here on, not only once everything started: a SIGTERM that arrives while
  // the service migrates, listens or starts its tasks (a loaded machine, an orchestrator that gives
  // up early) waits for that step and then shuts down cleanly, instead of Node's default death (143)
  // that leaves the embedded cluster running without its parent.
  const servers: RunningServer[] = [];
  const startup = { tasks: undefined as BackgroundTasks | undefined, done: undefined as unknown as () => void };
  const started = new Promise<void>((resolve) => (startup.done = resolve));
  installShutdown(logger, config.http.shutdownTimeoutMs, servers, () => startup.tasks, lifecycle, started);

  await warmUp(container);
  if (config.migrations.onStart) {
    await container.get<{ execute(): Promise<void> }>(TOKENS.MigrateOnStart).execute();
  }

  const app = container.get<Express>(TOKENS.HttpApp);
  // Everything the service runs besides answering requests, from one list (each module declares its own).
  const tasks = container.get<BackgroundTasks>(TOKENS.BackgroundTasks);
  startup.tasks = tasks;
  // Workers share the port (the primary hands each connection to one of them); X-Worker-Id says which answered.
  const handler: RequestListener = worker === null ? app : (req, res) => (res.setHeader('X-Worker-Id', String(worker)), app(req, res));
  const api = await listen(handler, config.http.port, config.http.host, {
    serviceName: config.serviceName,
    headersTimeoutMs: config.http.headersTimeoutMs,
    requestTimeoutMs: config.http.requestTimeoutMs,
  });
  servers.push(api);
  logger.info(
    { port: api.port, database: embedded ? 'embedded' : 'server', redis: config.redisUrl ? 'server' : 'in_process', env: config.env },
    'service listening',
  );

  if (worker !== null) {
    // The primary serves PROMETHEUS_PORT, aggregating what each worker hands it.
    shareMetricsWithPrimary(container.get<PrometheusMetrics>(TOKENS.Metrics).registry);
  } else if (config.metrics.port > 0) {
    const metrics = container.get<PrometheusMetrics>(TOKENS.Metrics);
    await startMetricsServer(metrics, config.metrics.port, config.metrics.host, logger).then(
      (server) => {
        servers.push(server);
        logger.info({ port: server.port, host: config.metrics.host }, 'metrics listening');
      },
      // The API is up; a taken metrics port should be visible but not fatal.
      (error: Error) => logger.error({ err: { message: error.message }, port: config.metrics.port }, 'metrics port unavailable; /metrics (admin) still serves'),
    );
  }

  await tasks.start();
  const placement = tasks.placement();
  logger.info(
    {
      ...(worker === null ? { pid: process.pid } : {}),
      background_tasks: tasks.status().map((task) => `${task.name} (${task.schedule})${task.running ? '' : ' NOT RUNNING'}`),
      in_every_process: placement.everyProcess,
      one_process_here: placement.oneProcessHere,
      one_process_elsewhere: placement.oneProcessElsewhere,
    },
    'background tasks started',
  );

  startup.done();
  // A stray rejection (a background task that forgot a catch) is a bug to log, not a reason to drop
  // every in-flight request; an uncaught exception leaves unknown state, so that one still exits.
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled promise rejection'));
  process.on('uncaughtException', (error) => {
    logger.fatal({ err: error }, 'uncaught exception; exiting');
    logger.flush();
    process.exit(1);
  });
}

function installShutdown(
  logger: PinoLogger,
  graceMs: number,
  servers: RunningServer[],
  tasks: () => BackgroundTasks | undefined,
  lifecycle: Lifecycle,
  started: Promise<void>,
): void {
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    // A signal during startup: let the step under way finish, so nothing is closed under it.
    await started;
    // /health/ready answers 503 from now on, to whoever still reaches this process.
    lifecycle.beginShutdown();
    logger.info({ signal, grace_ms: graceMs }, 'shutting down: no new connections, finishing in-flight requests');
    await Promise.all(servers.map((s) => s.stop(graceMs)));
    // In reverse order of starting, before the pools and clients they use are closed.
    await tasks()?.stop();
    await lifecycle.close((name, error) => logger.warn({ resource: name, err: error }, 'close failed'));
    logger.info({}, 'shutdown complete');
    logger.flush();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  // A worker whose primary is gone (killed) gets no more connections: it stops as for SIGTERM.
  process.on('disconnect', () => void shutdown('primary gone'));
}

main().catch((error: unknown) => {
  process.stderr.write(`Failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
