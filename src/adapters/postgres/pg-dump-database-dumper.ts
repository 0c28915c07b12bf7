import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { Client } from 'pg';
import type { DatabaseDumper, DatabaseSnapshot, DumpToolStatus, RunningDump } from '../../application/ports/database-dumper.port';
import { checkTools, clientPackage, toolEnv, type PgToolPaths } from './pg-dump-tools';

/**
 * What the archives leave out, because an in-place restore must not overwrite it: the backup
 * bookkeeping (the restore would forget backups taken since, the one restoring included) and
 * pg-boss's schema (its jobs and schedules belong to the running service, not to the data).
 */
export const EXCLUDED_SCHEMAS = ['pgboss'];
export const EXCLUDED_TABLES = ['public.db_backups', 'public.db_backup_files', 'public.db_backup_tombstones', 'public.db_restores'];

export interface PgDumpSettings {
  connectionString: string;
  /** PG_BIN_DIR: where pg_dump/pg_restore are; absent: PATH. */
  binDir: string | undefined;
  applicationName: string;
  /**
   * BACKUP_LOCK_WAIT_TIMEOUT_MS: how long pg_dump waits for each table's shared lock before failing
   * (a session holding an exclusive lock, e.g. a stuck migration, would otherwise block it forever).
   */
  lockWaitTimeoutMs: number;
}

/**
 * After pg_dump's process exits, how long its stderr may stay open before it is cut: 'close' would wait
 * for every holder of the pipes, and a process it left behind (pg_dump run by a wrapper script that
 * was killed) can hold them forever. stderr only carries diagnostics, so cutting it loses nothing.
 */
const PIPE_DRAIN_AFTER_EXIT_MS = 5_000;

/**
 * pg_dump -Fc of the application database from an exported snapshot: a REPEATABLE READ transaction
 * on a connection of its own exports it and stays open while pg_dump --snapshot reads it, and the
 * file manifest is copied inside that same transaction, so archive and manifest describe one moment.
 */
export class PgDumpDatabaseDumper implements DatabaseDumper {
  private serverMajor: number | null = null;

  constructor(private readonly settings: PgDumpSettings) {}

  async tools(): Promise<DumpToolStatus> {
    return (await this.resolveTools()).status;
  }

  async openSnapshot(): Promise<DatabaseSnapshot> {
    const { status, paths } = await this.resolveTools();
    if (!paths) throw new Error(status.available ? 'pg_dump unavailable' : status.reason);
    const client = new Client({ connectionString: this.settings.connectionString, application_name: `${this.settings.applicationName} backup`, connectionTimeoutMillis: 5_000 });
    client.on('error', () => undefined);
    await client.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
      // The transaction must outlive the dump, however long, and whatever the server's defaults.
      await client.query("SET LOCAL statement_timeout = 0; SET LOCAL idle_in_transaction_session_timeout = 0; SET LOCAL lock_timeout = 0");
      const snapshotId = (await client.query<{ id: string }>('SELECT pg_export_snapshot() AS id')).rows[0]!.id;
      const facts = await client.query<{ server_version: string; tables: string; has_migrations: boolean }>(FACTS_SQL, [EXCLUDED_SCHEMAS, EXCLUDED_TABLES]);
      const row = facts.rows[0]!;
      const migrationVersion = row.has_migrations
        ? ((await client.query<{ v: string | null }>('SELECT max(version) AS v FROM schema_migrations')).rows[0]!.v ?? null)
        : null;
      return new PgSnapshot(client, snapshotId, paths, this.settings, row.server_version, migrationVersion, Number(row.tables));
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
  }

  private async resolveTools(): Promise<Awaited<ReturnType<typeof checkTools>>> {
    const serverMajor = (this.serverMajor ??= await this.readServerMajor());
    const checked = await checkTools(this.settings.binDir, serverMajor);
    if (checked.status.available) return checked;
    return { status: { ...checked.status, package: clientPackage(serverMajor) }, paths: null };
  }

  /** Read once: a server's major version changes only with an upgrade, which restarts the service's connections anyway. */
  private async readServerMajor(): Promise<number> {
    const client = new Client({ connectionString: this.settings.connectionString, application_name: this.settings.applicationName, connectionTimeoutMillis: 5_000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      return Math.floor(Number((await client.query<{ v: string }>("SELECT current_setting('server_version_num') AS v")).rows[0]!.v) / 10_000);
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}

// Tables whose contents pg_dump writes ("dumping contents of table" once each): ordinary tables
// outside the system schemas, the excluded ones and extensions' own.
const FACTS_SQL = `
SELECT current_setting('server_version') AS server_version,
       (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema')
           AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'
           AND n.nspname <> ALL($1::text[]) AND (n.nspname || '.' || c.relname) <> ALL($2::text[])
           AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')) AS tables,
       to_regclass('schema_migrations') IS NOT NULL AS has_migrations`;

class PgSnapshot implements DatabaseSnapshot {
  private closed = false;

  constructor(
    private readonly client: Client,
    private readonly snapshotId: string,
    private readonly paths: PgToolPaths,
    private readonly settings: PgDumpSettings,
    readonly serverVersion: string,
    readonly migrationVersion: string | null,
    readonly tablesTotal: number,
  ) {}

  async recordManifest(backupId: string): Promise<number> {
    const result = await this.client.query(
      `INSERT INTO db_backup_files (backup_id, file_id, file_path, storage_provider, size_bytes, checksum_sha256)
       SELECT $1, id, file_path, storage_provider, size_bytes, checksum_sha256 FROM files`,
      [backupId],
    );
    return result.rowCount ?? 0;
  }

  dump(onTableDumped: () => void): RunningDump {
    // The password travels in the environment, never on the command line (ps would show it).
    const url = new URL(this.settings.connectionString);
    const password = decodeURIComponent(url.password);
    url.password = '';
    const args = [
      '--format=custom',
      '--verbose',
      `--snapshot=${this.snapshotId}`,
      `--lock-wait-timeout=${this.settings.lockWaitTimeoutMs}`,
      ...EXCLUDED_SCHEMAS.map((schema) => `--exclude-schema=${schema}`),
      ...EXCLUDED_TABLES.map((table) => `--exclude-table=${table}`),
      `--dbname=${url.toString()}`,
    ];
    const child = spawn(this.paths.pgDump, args, {
      env: toolEnv({ ...(password ? { PGPASSWORD: password } : {}), PGAPPNAME: `${this.settings.applicationName} pg_dump` }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const problems: string[] = [];
    createInterface({ input: child.stderr }).on('line', (line) => {
      if (line.includes('dumping contents of table')) onTableDumped();
      else if (/\b(error|fatal|detail|hint):/i.test(line)) problems.push(line.trim());
    });
    const finished = new Promise<void>((resolve, reject) => {
      child.once('error', reject);
      // Settled on 'exit' once stderr has drained, that drain bounded (see PIPE_DRAIN_AFTER_EXIT_MS).
      // stdout is left alone: the archive is read to its end by the consumer, however slow it is.
      child.once('exit', (code, signal) => {
        const settle = () => {
          clearTimeout(cut);
          if (code === 0) return resolve();
          const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
          reject(new Error(`pg_dump ${how}${problems.length ? `: ${problems.slice(-3).join(' ')}` : ''}`));
        };
        const cut = setTimeout(() => {
          child.stderr.destroy();
          settle();
        }, PIPE_DRAIN_AFTER_EXIT_MS);
        cut.unref();
        if (child.stderr.readableEnded || child.stderr.destroyed) settle();
        else child.stderr.once('close', settle);
      });
    });
    return {
      archive: child.stdout,
      finished,
      abort: () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        // A process pg_dump left behind may still hold stdout open: the archive must end here anyway.
        child.stdout.destroy();
      },
    };
  }

  async close(options: { keep: boolean }): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.client.query(options.keep ? 'COMMIT' : 'ROLLBACK');
    } finally {
      await this.client.end().catch(() => undefined);
    }
  }
}
