import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { Client } from 'pg';
import type { DatabaseRestorer } from '../../application/ports/database-restorer.port';
import { locateTool, toolEnv } from './pg-dump-tools';

export interface PgRestoreSettings {
  /** The application database's URL: the new databases live on the same server. */
  connectionString: string;
  binDir: string | undefined;
  applicationName: string;
}

/**
 * pg_restore (custom format on stdin, so the decrypted archive never lands on disk) into databases
 * created on the application's server. Names reaching here are validated identifiers
 * (DATABASE_NAME), and are still quoted.
 */
export class PgRestoreDatabaseRestorer implements DatabaseRestorer {
  constructor(private readonly settings: PgRestoreSettings) {}

  async databaseExists(name: string): Promise<boolean> {
    return this.withClient(null, async (client) => (await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1);
  }

  async createDatabase(name: string): Promise<void> {
    await this.withClient(null, (client) => client.query(`CREATE DATABASE ${quote(name)}`));
  }

  async restoreInto(name: string, archive: Readable): Promise<void> {
    await this.pgRestore(name, ['--no-owner', '--exit-on-error'], archive, {});
  }

  async restoreOver(name: string, archive: Readable, lockTimeoutMs: number): Promise<void> {
    // pg_restore starts its script with SET lock_timeout = 0 (whatever PGOPTIONS says), so the
    // bound on its lock waits is kept from outside, by a watchdog on a connection of its own.
    const appName = `${this.settings.applicationName} pg_restore ${randomBytes(4).toString('hex')}`.slice(-63);
    const watchdog = await this.lockWatchdog(name, appName, lockTimeoutMs);
    try {
      await this.pgRestore(name, ['--clean', '--if-exists', '--single-transaction', '--no-owner', '--exit-on-error'], archive, { PGAPPNAME: appName });
    } catch (error) {
      const why = watchdog.cancelledBecause();
      throw why ? new Error(`${why}; nothing was restored (${(error as Error).message.slice(0, 300)})`) : error;
    } finally {
      await watchdog.stop();
    }
  }

  /**
   * Ends the sessions idle inside a transaction in `name` (a lease left open, an abandoned client:
   * their locks would never be released), then, while pg_restore runs, watches it: a session that
   * blocks it while idle in a transaction is ended too; one that keeps it waiting on a lock longer
   * than `lockTimeoutMs` while working makes the watchdog cancel pg_restore's statement instead
   * (pg_restore then fails and its single transaction rolls back) rather than let it, and every
   * reader queued behind its pending lock, wait without end.
   */
  private async lockWatchdog(name: string, appName: string, lockTimeoutMs: number): Promise<{ stop(): Promise<void>; cancelledBecause(): string | null }> {
    const url = new URL(this.settings.connectionString);
    url.pathname = `/${name}`;
    const client = new Client({ connectionString: url.toString(), application_name: `${this.settings.applicationName} restore watchdog`, connectionTimeoutMillis: 5_000 });
    client.on('error', () => undefined);
    await client.connect();
    try {
      await client.query(TERMINATE_IDLE_IN_TRANSACTION_SQL, [null]);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    let reason: string | null = null;
    let busy = false;
    const tick = async () => {
      if (busy || reason) return;
      busy = true;
      try {
        const waiting = await client.query<{ pid: number; waited_ms: number; blockers: number[] }>(WAITING_RESTORE_SQL, [appName]);
        for (const row of waiting.rows) {
          const ended = await client.query(TERMINATE_IDLE_IN_TRANSACTION_SQL, [row.blockers]);
          if ((ended.rowCount ?? 0) > 0 || row.waited_ms < lockTimeoutMs) continue;
          const holders = await client.query<{ who: string }>(
            `SELECT pid || ' (' || coalesce(nullif(application_name, ''), usename::text, '?') || ', ' || coalesce(state, '?') || ')' AS who FROM pg_stat_activity WHERE pid = ANY($1::int[])`,
            [row.blockers],
          );
          reason = `pg_restore waited more than ${lockTimeoutMs} ms for a lock held by ${holders.rows.map((h) => h.who).join(', ') || 'another session'}`;
          await client.query('SELECT pg_cancel_backend($1)', [row.pid]);
        }
      } catch {
        // A missed look is retried at the next tick.
      } finally {
        busy = false;
      }
    };
    const timer = setInterval(() => void tick(), Math.max(50, Math.min(500, Math.floor(lockTimeoutMs / 4))));
    return {
      cancelledBecause: () => reason,
      stop: async () => {
        clearInterval(timer);
        await client.end().catch(() => undefined);
      },
    };
  }

  private async pgRestore(name: string, options: string[], archive: Readable, extraEnv: Record<string, string>): Promise<void> {
    const pgRestore = locateTool('pg_restore', this.settings.binDir);
    if (!pgRestore) throw new Error(`pg_restore not found ${this.settings.binDir ? `in PG_BIN_DIR (${this.settings.binDir})` : 'on PATH'}`);
    const { url, password } = this.urlFor(name);
    const child = spawn(pgRestore, [...options, `--dbname=${url}`], {
      env: toolEnv({ ...(password ? { PGPASSWORD: password } : {}), PGAPPNAME: `${this.settings.applicationName} pg_restore`, ...extraEnv }),
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    const problems: string[] = [];
    createInterface({ input: child.stderr! }).on('line', (line) => problems.push(line.trim()));
    let sourceError: Error | null = null;
    archive.on('error', (error) => {
      sourceError = error;
      child.kill('SIGTERM');
    });
    // pg_restore quitting early closes its stdin: that error is pg_restore's, reported below.
    child.stdin!.on('error', () => undefined);
    archive.pipe(child.stdin!);
    await new Promise<void>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code, signal) => {
        if (sourceError) return reject(sourceError);
        if (code === 0) return resolve();
        const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
        reject(new Error(`pg_restore ${how}${problems.length ? `: ${problems.slice(-3).join(' ')}` : ''}`));
      });
    });
  }

  async rowCounts(name: string): Promise<Record<string, number>> {
    return this.withClient(name, async (client) => {
      const tables = await client.query<{ name: string }>(`SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`);
      const counts: Record<string, number> = {};
      for (const { name: table } of tables.rows) {
        counts[table] = Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM public.${quote(table)}`)).rows[0]!.n);
      }
      return counts;
    });
  }

  async existingFileIds(name: string, fileIds: string[]): Promise<Set<string>> {
    if (fileIds.length === 0) return new Set();
    return this.withClient(name, async (client) => {
      if ((await client.query(`SELECT to_regclass('public.files') IS NOT NULL AS ok`)).rows[0].ok !== true) return new Set<string>();
      const found = await client.query<{ id: string }>('SELECT id::text AS id FROM public.files WHERE id::text = ANY($1::text[])', [fileIds]);
      return new Set(found.rows.map((row) => row.id));
    });
  }

  private urlFor(database: string | null): { url: string; password: string } {
    const url = new URL(this.settings.connectionString);
    const password = decodeURIComponent(url.password);
    url.password = '';
    if (database) url.pathname = `/${database}`;
    return { url: url.toString(), password };
  }

  private async withClient<T>(database: string | null, work: (client: Client) => Promise<T>): Promise<T> {
    const url = new URL(this.settings.connectionString);
    if (database) url.pathname = `/${database}`;
    const client = new Client({ connectionString: url.toString(), application_name: `${this.settings.applicationName} restore`, connectionTimeoutMillis: 5_000 });
    client.on('error', () => undefined);
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}

/** Sessions of this database idle inside a transaction, other than this one; $1: only these pids (null: any). */
const TERMINATE_IDLE_IN_TRANSACTION_SQL = `
SELECT pg_terminate_backend(pid) FROM pg_stat_activity
 WHERE datname = current_database() AND pid <> pg_backend_pid()
   AND state IN ('idle in transaction', 'idle in transaction (aborted)')
   AND ($1::int[] IS NULL OR pid = ANY($1::int[]))`;

/** pg_restore's session (known by its application_name) while it waits on a lock: for how long, behind whom. */
const WAITING_RESTORE_SQL = `
SELECT pid, (extract(epoch FROM clock_timestamp() - query_start) * 1000)::int AS waited_ms, pg_blocking_pids(pid) AS blockers
  FROM pg_stat_activity
 WHERE datname = current_database() AND application_name = $1 AND wait_event_type = 'Lock'`;

function quote(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}
