import { Client } from 'pg';
import type { ExclusiveLocks } from '../../application/ports/exclusive-locks.port';
import type { Logger } from '../../application/ports/logger.port';
import { translatePgError } from './pg-error-translator';

/** Namespace of these locks (two-int form): apart from the quota locks and the bigint keys. */
const EXCLUSIVE_LOCK_NAMESPACE = 1_717_000_003;
/** How often a session holding locks is checked, so a silently dropped connection is noticed. */
const CHECK_INTERVAL_MS = 10_000;

export interface PgExclusiveLocksOptions {
  connectionString: string;
  applicationName: string;
  connectTimeoutMs: number;
}

/**
 * Session-level advisory locks (`pg_try_advisory_lock(namespace, hashtext(name))`) on one dedicated
 * connection of this process, outside the pool: PostgreSQL frees them when the session ends, so a
 * process killed with SIGKILL gives them up as soon as the server sees its socket close. A session
 * that fails is dropped, its locks reported lost, and the next `tryAcquire` opens a new one.
 * Needs a session of its own: not through PgBouncer in transaction mode.
 */
export class PgExclusiveLocks implements ExclusiveLocks {
  private session: Promise<Client> | null = null;
  private readonly held = new Set<string>();
  private readonly listeners: Array<(names: string[]) => void> = [];
  private checker: NodeJS.Timeout | null = null;

  constructor(
    private readonly options: PgExclusiveLocksOptions,
    private readonly logger: Logger,
  ) {}

  async tryAcquire(name: string): Promise<boolean> {
    if (this.held.has(name)) return true;
    const client = await this.connect();
    const { rows } = await this.run(client, 'SELECT pg_try_advisory_lock($1, hashtext($2)) AS locked', [EXCLUSIVE_LOCK_NAMESPACE, name]);
    if (rows[0]?.locked !== true) return false;
    this.held.add(name);
    this.checker ??= setInterval(() => void this.check(), CHECK_INTERVAL_MS).unref();
    return true;
  }

  async release(name: string): Promise<void> {
    if (!this.held.delete(name) || !this.session) return;
    const client = await this.session;
    await this.run(client, 'SELECT pg_advisory_unlock($1, hashtext($2))', [EXCLUSIVE_LOCK_NAMESPACE, name]).catch(() => undefined);
  }

  onLost(listener: (names: string[]) => void): void {
    this.listeners.push(listener);
  }

  async close(): Promise<void> {
    this.stopChecking();
    const session = this.session;
    this.session = null;
    this.held.clear();
    if (session) await (await session.catch(() => null))?.end().catch(() => undefined);
  }

  private connect(): Promise<Client> {
    this.session ??= (async () => {
      const client = new Client({
        connectionString: this.options.connectionString,
        application_name: `${this.options.applicationName}-task-locks`,
        connectionTimeoutMillis: this.options.connectTimeoutMs,
        keepAlive: true,
      });
      client.on('error', (error) => this.lose(client, error));
      client.on('end', () => this.lose(client, new Error('connection ended')));
      await client.connect();
      return client;
    })().catch((error: unknown) => {
      this.session = null;
      throw translatePgError(error);
    });
    return this.session;
  }

  private async run(client: Client, sql: string, params: unknown[]): Promise<{ rows: Array<{ locked?: boolean }> }> {
    try {
      return await client.query<{ locked?: boolean }>(sql, params);
    } catch (error) {
      this.lose(client, error);
      throw translatePgError(error);
    }
  }

  private async check(): Promise<void> {
    const session = this.session;
    if (!session || this.held.size === 0) return;
    const client = await session.catch(() => null);
    if (client) await client.query('SELECT 1').catch((error: unknown) => this.lose(client, error));
  }

  /** The session is gone, and every lock it held with it. */
  private lose(client: Client, error: unknown): void {
    void this.session?.then((current) => {
      if (current !== client) return;
      this.session = null;
      this.stopChecking();
      const names = [...this.held];
      this.held.clear();
      client.end().catch(() => undefined);
      if (names.length === 0) return;
      this.logger.warn({ locks: names, err: { message: error instanceof Error ? error.message : String(error) } }, 'task locks lost with their database session');
      for (const listener of this.listeners) listener(names);
    }, () => undefined);
  }

  private stopChecking(): void {
    if (this.checker) clearInterval(this.checker);
    this.checker = null;
  }
}
