import { Pool, type PoolClient } from 'pg';
import type { Logger } from '../../application/ports/logger.port';
import type { PoolStats, SqlDatabase } from '../../application/ports/sql-database.port';
import { DatabaseTimeout, DatabaseUnavailable, PoolExhausted } from '../../domain/shared/errors';
import { PgDatabaseSession } from './pg-database-session';
import { translatePgError } from './pg-error-translator';
import { timeQueries, type QueryRecorder } from './query-timing';

export interface PgPoolOptions {
  connectionString: string;
  min: number;
  max: number;
  idleTimeoutMs: number;
  connectTimeoutMs: number;
  statementTimeoutMs: number;
  applicationName: string;
  /** Server settings for every session of this pool, e.g. `-c synchronous_commit=off`. */
  sessionOptions?: string;
}

/**
 * The one pg Pool adapter, whether the server is the embedded one or a real deployment. An idle
 * client losing its server emits 'error' on the pool: it is logged, never left to crash the process,
 * and the pool replaces the client on the next checkout, which is how the service recovers.
 */
export class PgSqlDatabase implements SqlDatabase {
  readonly pool: Pool;
  private readonly guarded = new WeakSet<PoolClient>();

  constructor(
    private readonly options: PgPoolOptions,
    private readonly logger: Logger,
    /** Told of every statement this pool's clients run (slow-query log, metrics, /db/status). */
    private readonly recorder?: QueryRecorder,
  ) {
    this.pool = new Pool({
      connectionString: options.connectionString,
      min: options.min,
      max: options.max,
      idleTimeoutMillis: options.idleTimeoutMs,
      connectionTimeoutMillis: options.connectTimeoutMs,
      statement_timeout: options.statementTimeoutMs || undefined,
      application_name: options.applicationName,
      ...(options.sessionOptions ? { options: options.sessionOptions } : {}),
    });
    this.pool.on('error', (error) => this.logger.warn({ err: { message: error.message, code: (error as { code?: string }).code } }, 'idle PostgreSQL client lost its connection'));
  }

  /** A dedicated connection (a lease, a transaction); 503 when the pool stays exhausted. */
  async openSession(): Promise<PgDatabaseSession> {
    return new PgDatabaseSession(await this.connect());
  }

  async ping(): Promise<void> {
    await this.withClient((client) => client.query('SELECT 1'));
  }

  /** Checks out a client, translating connection failures into domain errors. */
  async withClient<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.connect();
    try {
      const result = await work(client);
      client.release();
      return result;
    } catch (error) {
      const translated = translatePgError(error);
      // A client whose connection failed must not go back to the pool.
      const connectionLost = translated instanceof DatabaseUnavailable || translated instanceof DatabaseTimeout;
      client.release(connectionLost ? (error as Error) : undefined);
      throw translated;
    }
  }

  /**
   * pg reports a full pool and an unreachable server alike ("timeout exceeded when trying to
   * connect"): a pool at its size limit means every client stayed busy, hence exhausted, not a timeout.
   */
  private async connect(): Promise<PoolClient> {
    const full = () => this.pool.totalCount >= this.options.max;
    try {
      const client = await this.pool.connect();
      this.guard(client);
      return client;
    } catch (error) {
      const translated = translatePgError(error);
      if (translated instanceof DatabaseTimeout && full()) {
        throw new PoolExhausted(Math.max(1, Math.ceil(this.options.connectTimeoutMs / 1000)));
      }
      throw translated;
    }
  }

  /**
   * pg takes its own 'error' listener off a client while it is checked out, so a connection lost
   * mid-request (or on a held lease) would be an unhandled 'error' event, which ends the process.
   * Every client gets one permanent listener; the failed statement still reports DatabaseUnavailable.
   */
  private guard(client: PoolClient): void {
    if (this.guarded.has(client)) return;
    this.guarded.add(client);
    // Every checkout passes here once per client: the one place where all statements can be timed.
    if (this.recorder) timeQueries(client, this.recorder);
    client.on('error', (error: Error) => this.logger.warn({ err: { message: error.message } }, 'PostgreSQL connection lost while in use'));
  }

  poolStats(): PoolStats {
    const total = this.pool.totalCount;
    const idle = this.pool.idleCount;
    return { active: total - idle, idle, waiting: this.pool.waitingCount, total, max: this.options.max };
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
