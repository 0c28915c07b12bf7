import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './free-port';

export const REDIS_SERVER = 'redis-server';

export interface RunningRedis {
  port: number;
  pid: number;
  stop(): Promise<void>;
}

/**
 * A redis-server of this test's own on a free port (no persistence), optionally the replica of
 * another: never the run's shared Redis. `stop()` ends this process only, by its PID.
 */
export async function startRedisServer(options: { replicaOf?: number; extraArgs?: string[] } = {}): Promise<RunningRedis> {
  const port = await freePort();
  // Its own directory: a replica writes the RDB it syncs from its primary there (not in the work tree).
  const dir = await mkdtemp(path.join(os.tmpdir(), 'redis-test-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--protected-mode', 'no'];
  if (options.replicaOf !== undefined) args.push('--replicaof', '127.0.0.1', String(options.replicaOf));
  args.push(...(options.extraArgs ?? []));
  let running: RunningRedis;
  try {
    running = await launch(REDIS_SERVER, args, port);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    ...running,
    stop: async () => {
      await running.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A `redis-server --sentinel` watching the primary on `primaryPort` as `masterName` (quorum 1, quick failure detection). */
export async function startSentinel(masterName: string, primaryPort: number): Promise<RunningRedis & { dir: string }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sentinel-test-'));
  const port = await freePort();
  const conf = path.join(dir, 'sentinel.conf');
  // Sentinel rewrites its configuration file, so it must be its own and writable.
  await writeFile(
    conf,
    [
      `port ${port}`,
      'bind 127.0.0.1',
      'protected-mode no',
      `dir ${dir}`,
      `sentinel monitor ${masterName} 127.0.0.1 ${primaryPort} 1`,
      `sentinel down-after-milliseconds ${masterName} 1000`,
      `sentinel failover-timeout ${masterName} 5000`,
      '',
    ].join('\n'),
  );
  const running = await launch(REDIS_SERVER, [conf, '--sentinel'], port);
  return {
    ...running,
    dir,
    stop: async () => {
      await running.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function launch(binary: string, args: string[], port: number): Promise<RunningRedis> {
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (d: Buffer) => (output = (output + d.toString()).slice(-4_000));
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('error', (e) => (output += `\n${e.message}`));
  const stop = () => stopChild(child, exited);
  try {
    await waitForPort(port, child, 10_000);
  } catch (error) {
    await stop();
    throw new Error(`${binary} on port ${port} did not start: ${(error as Error).message}\n${output}`);
  }
  return { port, pid: child.pid!, stop };
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const done = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), 5_000)))]);
  clearTimeout(timer);
  if (!done) {
    child.kill('SIGKILL');
    await exited;
  }
}

async function waitForPort(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`exited with code ${child.exitCode}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing listening after ${timeoutMs} ms`);
}

/**
 * A Redis Cluster of `masters` redis-server processes of this test's own (no replicas), slots spread
 * by `redis-cli --cluster create`. `stop()` ends each of them by PID and removes their files.
 */
export async function startRedisCluster(masters = 3): Promise<{ nodes: RunningRedis[]; stop(): Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'redis-cluster-test-'));
  const nodes: RunningRedis[] = [];
  const stop = async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < masters; i++) {
      // Each node keeps its cluster state file in its own place.
      nodes.push(await startRedisServer({ extraArgs: ['--cluster-enabled', 'yes', '--cluster-config-file', path.join(dir, `nodes-${i}.conf`), '--dir', dir] }));
    }
    const created = spawnSync('redis-cli', ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '0', '--cluster-yes'], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    if (created.status !== 0) throw new Error(`redis-cli --cluster create failed: ${created.stdout}\n${created.stderr}`);
    return { nodes, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

export interface RestartableRedis {
  port: number;
  /** Stops the server (SIGTERM: it writes its append-only file first), keeping its data unless `forget`. */
  halt(options?: { forget?: boolean }): Promise<void>;
  /** Starts it again on the same port, with what it had kept. */
  resume(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A redis-server of this test's own that keeps its data across a restart (append-only file, fsync
 * always), for fault tests that stop it and start it again on the same port, with or without its data.
 */
export async function startRestartableRedis(): Promise<RestartableRedis> {
  const port = await freePort();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'redis-restartable-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--protected-mode', 'no'];
  let running: RunningRedis | undefined = await launch(REDIS_SERVER, args, port);
  const halt = async (options: { forget?: boolean } = {}) => {
    await running?.stop();
    running = undefined;
    if (options.forget) {
      await rm(dir, { recursive: true, force: true });
      await mkdir(dir, { recursive: true });
    }
  };
  return {
    port,
    halt,
    resume: async () => {
      if (!running) running = await launch(REDIS_SERVER, args, port);
    },
    stop: async () => {
      await halt();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
