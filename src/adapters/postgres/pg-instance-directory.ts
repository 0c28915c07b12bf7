import type { InstanceDirectory, InstanceStatus } from '../../application/ports/instance-directory.port';
import type { PgSqlDatabase } from './pg-sql-database';

/**
 * The instance registry in PostgreSQL (service_instances), always present, the embedded one
 * included. Liveness is judged on the database's clock, so machines need not agree on the time.
 * Runs on a pool of its own: a busy service pool must not make an instance look dead.
 */
export class PgInstanceDirectory implements InstanceDirectory {
  constructor(private readonly db: PgSqlDatabase) {}

  async announce(instanceId: string, internalUrl: string, ttlSeconds: number): Promise<void> {
    await this.db.withClient((client) =>
      client.query(
        `INSERT INTO service_instances (instance_id, internal_url, expires_at)
         VALUES ($1, $2, now() + make_interval(secs => $3))
         ON CONFLICT (instance_id) DO UPDATE
            SET internal_url = EXCLUDED.internal_url, heartbeat_at = now(), expires_at = EXCLUDED.expires_at, stopped_at = NULL,
                started_at = CASE WHEN service_instances.stopped_at IS NOT NULL OR service_instances.expires_at <= now()
                                  THEN now() ELSE service_instances.started_at END`,
        [instanceId, internalUrl, ttlSeconds],
      ),
    );
  }

  async withdraw(instanceId: string): Promise<void> {
    await this.db.withClient((client) => client.query('UPDATE service_instances SET stopped_at = now(), expires_at = now() WHERE instance_id = $1', [instanceId]));
  }

  async status(instanceId: string): Promise<InstanceStatus> {
    const { rows } = await this.db.withClient((client) =>
      client.query<{ internal_url: string; live: boolean; withdrawn: boolean }>(
        'SELECT internal_url, (stopped_at IS NULL AND expires_at > now()) AS live, stopped_at IS NOT NULL AS withdrawn FROM service_instances WHERE instance_id = $1',
        [instanceId],
      ),
    );
    const row = rows[0];
    if (!row) return { state: 'unknown' };
    return row.live ? { state: 'live', internalUrl: row.internal_url } : { state: 'gone', withdrawn: row.withdrawn, internalUrl: row.internal_url };
  }

  async forgetGoneFor(seconds: number): Promise<number> {
    const { rowCount } = await this.db.withClient((client) =>
      client.query('DELETE FROM service_instances WHERE expires_at < now() - make_interval(secs => $1)', [seconds]),
    );
    return rowCount ?? 0;
  }
}
