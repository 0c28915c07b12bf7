import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { freePort } from './free-port';

const BIN = '/usr/lib/postgresql/15/bin';

export interface OwnCluster {
  url: string;
  /** Stops this cluster (by its postmaster's PID) and removes its folder. */
  stop(): Promise<void>;
}

/**
 * A throwaway PostgreSQL 15 cluster of this test alone (trust auth, 127.0.0.1, a free port), for
 * settings the machine's shared server does not have (e.g. `shared_preload_libraries`). As root it
 * runs as the `postgres` user, which PostgreSQL requires.
 */
export async function startOwnCluster(settings: Record<string, string> = {}): Promise<OwnCluster> {
  const { home, dataDir, asPostgres, port, flags } = await initCluster(settings);
  const server: ChildProcess = spawn(`${BIN}/postgres`, ['-D', dataDir, '-p', String(port), ...flags], { ...asPostgres, stdio: 'ignore' });
  const url = `postgresql://postgres@127.0.0.1:${port}/postgres`;
  await waitUntilAccepting(url, 20_000);
  return {
    url,
    stop: async () => {
      if (server.exitCode === null) {
        const exited = new Promise((resolve) => server.once('exit', resolve));
        server.kill('SIGINT');
        await exited;
      }
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}

function postgresIds(): { uid: number; gid: number } {
  const id = (flag: string) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  return { uid: id('-u'), gid: id('-g') };
}

async function waitUntilAccepting(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const client = new Client({ connectionString: url });
    try {
      await client.connect();
      await client.end();
      return;
    } catch (error) {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

export interface RestartableCluster extends OwnCluster {
  port: number;
  /** Stops the postmaster (SIGINT: fast shutdown, SIGQUIT: immediate, SIGKILL: crash), keeping its data. */
  halt(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port and data, and waits until it accepts connections. */
  resume(): Promise<void>;
  readonly running: boolean;
}

/**
 * A cluster of this test's own, as `startOwnCluster`, that a fault test can stop and start again on the
 * same port and data (a PostgreSQL restart, or an outage of a chosen length), by its postmaster's PID.
 */
export async function startRestartableCluster(settings: Record<string, string> = {}): Promise<RestartableCluster> {
  const { home, dataDir, asPostgres, port, flags } = await initCluster(settings);
  const url = `postgresql://postgres@127.0.0.1:${port}/postgres`;
  let server: ChildProcess | undefined;
  const launch = async () => {
    server = spawn(`${BIN}/postgres`, ['-D', dataDir, '-p', String(port), ...flags], { ...asPostgres, stdio: 'ignore' });
    await waitUntilAccepting(url, 30_000);
  };
  const halt = async (signal: NodeJS.Signals = 'SIGINT') => {
    const running = server;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill(signal);
    await exited;
    // After a crash (SIGKILL) its children may linger a moment on the shared memory: wait for the pid file to go.
    const pidFile = path.join(dataDir, 'postmaster.pid');
    for (let i = 0; i < 100 && signal !== 'SIGKILL' && fs.existsSync(pidFile); i++) await new Promise((r) => setTimeout(r, 50));
  };
  await launch();
  return {
    url,
    port,
    get running() {
      return server !== undefined && server.exitCode === null && server.signalCode === null;
    },
    halt,
    resume: launch,
    stop: async () => {
      await halt('SIGINT');
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}

/** A new data folder (initdb, as the postgres user when root), a free port and the server flags: what both kinds of cluster start from. */
async function initCluster(settings: Record<string, string>) {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'vb-own-pg-'));
  fs.chmodSync(home, 0o755);
  const dataDir = path.join(home, 'data');
  const ids = process.getuid?.() === 0 ? postgresIds() : null;
  if (ids) fs.chownSync(home, ids.uid, ids.gid);
  const asPostgres = ids ?? {};
  const init = spawnSync(`${BIN}/initdb`, ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '--no-sync'], { ...asPostgres, encoding: 'utf8' });
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
  const port = await freePort();
  const flags = Object.entries({ listen_addresses: '127.0.0.1', unix_socket_directories: '', fsync: 'off', ...settings }).flatMap(([k, v]) => ['-c', `${k}=${v}`]);
  return { home, dataDir, asPostgres, port, flags };
}
