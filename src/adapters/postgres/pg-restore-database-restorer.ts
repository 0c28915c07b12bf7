import { spawn } from 'node:child_process';
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
    const pgRestore = locateTool('pg_restore', this.settings.binDir);
    if (!pgRestore) throw new Error(`pg_restore not found ${this.settings.binDir ? `in PG_BIN_DIR (${this.settings.binDir})` : 'on PATH'}`);
    const { url, password } = this.urlFor(name);
    const child = spawn(pgRestore, ['--no-owner', '--exit-on-error', `--dbname=${url}`], {
      env: toolEnv({ ...(password ? { PGPASSWORD: password } : {}), PGAPPNAME: `${this.settings.applicationName} pg_restore` }),
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

function quote(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}
