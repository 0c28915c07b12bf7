import type { Clock } from '../../application/ports/clock.port';
import type { InstanceDirectory } from '../../application/ports/instance-directory.port';
import type { Logger } from '../../application/ports/logger.port';
import { LocateLease } from '../../application/database/leases/locate-lease';
import { InternalListener } from '../../adapters/http/internal/internal-listener';
import { InternalRequestVerifier } from '../../adapters/http/internal/internal-signature';
import { LeaseForwarder } from '../../adapters/http/internal/lease-forwarder';
import { PgInstanceDirectory } from '../../adapters/postgres/pg-instance-directory';
import { PgSqlDatabase } from '../../adapters/postgres/pg-sql-database';
import type { BackgroundTask, Capability } from '../background-task';
import type { Bind } from '../binder';
import type { Config } from '../config';
import { resolveInternalSecret } from '../internal-secret';
import { internalServerTask } from '../internal-server';
import type { Lifecycle } from '../lifecycle';
import { TOKENS } from '../tokens';

/** How long a forwarded request may wait for its holder beyond the statement timeout (a commit applies its effects too). */
const ANSWER_MARGIN_MS = 30_000;

/**
 * Leases from any process or instance: the instance registry, where a lease is held, the forwarding
 * of its requests to the holder, and this process's internal listener (a background task).
 */
export function bindInstances(bind: Bind): void {
  bind(
    TOKENS.InstanceDirectory,
    (config: Config, logger: Logger, lifecycle: Lifecycle): InstanceDirectory => {
      // A pool of its own (one client): the heartbeat must not wait behind, or count in, the service's pool.
      const db = new PgSqlDatabase(
        { connectionString: config.databaseUrl ?? '', min: 0, max: 1, idleTimeoutMs: 10_000, connectTimeoutMs: config.pool.connectTimeoutMs, statementTimeoutMs: 5_000, applicationName: `${config.serviceName} registry` },
        logger,
      );
      lifecycle.onClose('instance registry pool', () => db.close());
      return new PgInstanceDirectory(db);
    },
    [TOKENS.Config, TOKENS.Logger, TOKENS.Lifecycle],
  );
  bind(TOKENS.LocateLease, (config: Config, directory: InstanceDirectory, clock: Clock) => new LocateLease(config.instanceId, directory, clock), [TOKENS.Config, TOKENS.InstanceDirectory, TOKENS.Clock]);
  bind(TOKENS.InternalSecret, (config: Config): string => resolveInternalSecret(config), [TOKENS.Config]);
  bind(
    TOKENS.LeaseForwarder,
    (config: Config, locate: LocateLease, secret: string, lifecycle: Lifecycle) => {
      const timeout = config.pool.statementTimeoutMs > 0 ? config.pool.statementTimeoutMs + ANSWER_MARGIN_MS : 0;
      const forwarder = new LeaseForwarder(locate, { selfId: config.instanceId, secret, answerTimeoutMs: timeout });
      lifecycle.onClose('lease forwarding connections', async () => forwarder.close());
      return forwarder;
    },
    [TOKENS.Config, TOKENS.LocateLease, TOKENS.InternalSecret, TOKENS.Lifecycle],
  );
  bind(
    TOKENS.InternalListener,
    (config: Config, secret: string, logger: Logger) =>
      new InternalListener(new InternalRequestVerifier(secret, config.instanceId), { selfId: config.instanceId, serviceName: config.serviceName, bodyLimitBytes: config.http.bodyLimitBytes }, logger),
    [TOKENS.Config, TOKENS.InternalSecret, TOKENS.Logger],
  );
  bind(
    TOKENS.InternalServer,
    (config: Config, directory: InstanceDirectory, listener: InternalListener, logger: Logger): BackgroundTask => internalServerTask(config, directory, listener, logger),
    [TOKENS.Config, TOKENS.InstanceDirectory, TOKENS.InternalListener, TOKENS.Logger],
  );
  bind(TOKENS.InstancesModule, (server: BackgroundTask): Capability => ({ mountRoutes() {}, tasks: [server] }), [TOKENS.InternalServer]);
}
