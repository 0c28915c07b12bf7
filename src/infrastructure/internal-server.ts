import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { InstanceDirectory } from '../application/ports/instance-directory.port';
import type { Logger } from '../application/ports/logger.port';
import type { InternalListener } from '../adapters/http/internal/internal-listener';
import { every, type BackgroundTask } from './background-task';
import { closeServer } from './http-server';
import type { Config } from './config';
import { startPeriodic, type PeriodicTask } from './periodic-task';

/**
 * This process's internal listener and its entry in the instance registry, as one background task:
 * start listens (a port of its own, even in a cluster worker) and announces the address; a heartbeat
 * renews it and drops instances gone for longer than any lease lives; stop withdraws the entry (its
 * leases answer 410 LEASE_LOST elsewhere from then on) and closes the listener.
 */
export function internalServerTask(config: Config, directory: InstanceDirectory, listener: InternalListener, logger: Logger): BackgroundTask {
  const { heartbeatMs, ttlSeconds } = config.internal;
  let server: http.Server | undefined;
  let heartbeat: PeriodicTask | undefined;
  const instanceId = config.instanceId;
  return {
    name: 'internal listener',
    schedule: `heartbeat ${every(heartbeatMs)}`,
    async start() {
      if (server) return;
      // A forwarder sends each request whole at once: one that trickles in is cut (30 s at least, never under the headers' bound).
      const requestTimeout = Math.max(config.http.headersTimeoutMs, 30_000);
      const started = http.createServer({ headersTimeout: config.http.headersTimeoutMs, requestTimeout, keepAliveTimeout: 65_000 }, listener.handle);
      await new Promise<void>((resolve, reject) => {
        started.once('error', reject);
        // exclusive: in a cluster worker, the port is this worker's own, not shared through the primary.
        started.listen({ port: config.internal.port, host: config.internal.host, exclusive: true }, () => {
          started.off('error', reject);
          resolve();
        });
      });
      server = started;
      const url = announcedUrl(config, (started.address() as AddressInfo).port);
      const announce = async () => {
        await directory.announce(instanceId, url, ttlSeconds);
        // Leases live at most LEASE_MAX_TTL_SECONDS: an instance gone longer than that holds none.
        await directory.forgetGoneFor(config.leases.maxTtlSeconds + ttlSeconds);
      };
      const before = await directory.status(instanceId).catch(() => undefined);
      if (before?.state === 'live' && before.internalUrl !== url) {
        logger.error({ instance_id: instanceId, other_url: before.internalUrl }, 'INSTANCE_ID already used by a live process: every process needs its own, or their leases are misrouted');
      }
      // A registry not reachable yet (no migration, database down) is retried by the heartbeat.
      await announce().catch((error: unknown) => logger.warn({ err: error, instance_id: instanceId }, 'instance registry unavailable; retrying with the heartbeat'));
      heartbeat = startPeriodic('instance heartbeat', heartbeatMs, announce, logger);
      logger.info({ instance_id: instanceId, internal_url: url }, 'internal listener up: lease requests forwarded by other instances are served here');
    },
    async stop() {
      const running = server;
      if (!running) return;
      server = undefined;
      await heartbeat?.stop();
      heartbeat = undefined;
      await directory.withdraw(instanceId).catch((error: unknown) => logger.warn({ err: error, instance_id: instanceId }, 'could not withdraw from the instance registry; it expires with its heartbeat'));
      await closeServer(running, config.http.shutdownTimeoutMs);
    },
  };
}

/** INTERNAL_ADVERTISE_URL (with the actual port added when it names none), else the listener's own address. */
export function announcedUrl(config: Config, port: number): string {
  const advertised = config.internal.advertiseUrl;
  if (advertised) {
    if (/^https?:\/\/[^/]*:\d+/i.test(advertised)) return advertised;
    const url = new URL(advertised);
    url.port = String(port);
    return url.toString().replace(/\/+$/, '');
  }
  const host = ['0.0.0.0', '::'].includes(config.internal.host) ? '127.0.0.1' : config.internal.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}
