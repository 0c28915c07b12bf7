import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './free-port';

export const PGBOUNCER = '/usr/sbin/pgbouncer';

export interface RunningPgBouncer {
  port: number;
  pid: number;
  /** PgBouncer's version, e.g. [1, 18, 0]: `max_prepared_statements` exists from 1.21. */
  version: number[];
  /** `url` with its host and port replaced by PgBouncer's (same user, same database). */
  through(url: string): string;
  output(): string;
  stop(): Promise<void>;
}

export function pgBouncerAvailable(): boolean {
  return existsSync(PGBOUNCER);
}

export function requirePgBouncer(): void {
  if (!pgBouncerAvailable()) throw new Error(`${PGBOUNCER} is missing: apt-get install pgbouncer (.ci/run does it when root)`);
}

export function pgBouncerVersion(): number[] {
  const text = execFileSync(PGBOUNCER, ['--version'], { encoding: 'utf8' });
  const match = /PgBouncer (\d+)\.(\d+)\.(\d+)/.exec(text);
  if (!match) throw new Error(`unexpected pgbouncer --version: ${text}`);
  return match.slice(1).map(Number);
}

export interface PgBouncerOptions {
  /** The PostgreSQL server behind it; every database name a client asks for is passed through. */
  serverHost?: string;
  serverPort?: number;
  /** The server user every pooled connection logs in as (auth_type any: clients are not authenticated). */
  serverUser: string;
  poolMode?: 'transaction' | 'session' | 'statement';
  defaultPoolSize?: number;
}

/**
 * The ini of a PgBouncer in front of the test server. `ignore_startup_parameters` lists what pg (the
 * driver) sends at connect that PgBouncer does not track itself: without it every connection is
 * refused ("unsupported startup parameter"); with it those settings are dropped, which is why the
 * README says to set statement_timeout on the role when going through PgBouncer.
 */
export function pgBouncerIni(port: number, options: PgBouncerOptions, version: number[]): string {
  const atLeast = (major: number, minor: number) => version[0]! > major || (version[0] === major && version[1]! >= minor);
  return `[databases]
* = host=${options.serverHost ?? '127.0.0.1'} port=${options.serverPort ?? 5432} user=${options.serverUser}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = ${port}
unix_socket_dir =
auth_type = any
pool_mode = ${options.poolMode ?? 'transaction'}
default_pool_size = ${options.defaultPoolSize ?? 20}
max_client_conn = 500
ignore_startup_parameters = extra_float_digits,options,statement_timeout,idle_in_transaction_session_timeout
server_reset_query =
server_check_delay = 1
${atLeast(1, 21) ? 'max_prepared_statements = 200\n' : ''}admin_users = ${options.serverUser}
logfile =
syslog = 0
log_connections = 0
log_disconnections = 0
`;
}

/** Debian's pgbouncer in the foreground on a free port (as `postgres` when the tests run as root: it refuses root). */
export async function startPgBouncer(options: PgBouncerOptions): Promise<RunningPgBouncer> {
  requirePgBouncer();
  const version = pgBouncerVersion();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pgbouncer-test-'));
  await chmod(dir, 0o755);
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await launch(dir, await freePort(), options, version);
    } catch (error) {
      lastError = error as Error;
    }
  }
  await rm(dir, { recursive: true, force: true });
  throw lastError!;
}

async function launch(dir: string, port: number, options: PgBouncerOptions, version: number[]): Promise<RunningPgBouncer> {
  const ini = path.join(dir, 'pgbouncer.ini');
  await writeFile(ini, pgBouncerIni(port, options, version), { mode: 0o644 });
  const asUser = process.getuid?.() === 0 ? ['-u', 'postgres'] : [];
  const child = spawn(PGBOUNCER, [...asUser, ini], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  const collect = (d: Buffer) => (output = (output + d.toString()).slice(-8_000));
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  child.once('error', (e) => (output += `\n${e.message}`));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const running = () => child.exitCode === null && child.signalCode === null;

  const stop = async (): Promise<void> => {
    if (running()) {
      child.kill('SIGINT');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 5_000)))]);
      clearTimeout(timer);
    }
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // Already gone.
    }
    await rm(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 10_000;
  while (!(await listening(port))) {
    if (!running() || Date.now() > deadline) {
      await stop();
      throw new Error(`pgbouncer did not start on port ${port}: ${output.trim()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const through = (url: string) => {
    const u = new URL(url);
    u.hostname = '127.0.0.1';
    u.port = String(port);
    return u.toString();
  };
  return { port, pid: child.pid!, version, through, output: () => output, stop };
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
