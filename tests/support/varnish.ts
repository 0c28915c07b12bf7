import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './free-port';

export const VARNISHD = '/usr/sbin/varnishd';
export const VARNISHNCSA = '/usr/bin/varnishncsa';

export interface RunningVarnish {
  /** Varnish's HTTP address, e.g. http://127.0.0.1:40123. */
  url: string;
  /** Its -n working directory, for varnishncsa and varnishadm. */
  workdir: string;
  port: number;
  stop(): Promise<void>;
}

export function varnishAvailable(): boolean {
  return existsSync(VARNISHD) && existsSync(VARNISHNCSA);
}

/** Fails a suite that needs Varnish with what to do about it, rather than with a spawn error. */
export function requireVarnish(): void {
  if (!varnishAvailable()) throw new Error(`${VARNISHD} or ${VARNISHNCSA} is missing: apt-get install varnish (.ci/run does it when root)`);
}

/**
 * A real varnishd on a free port running deploy/varnish/default.vcl against `backendPort`, all its
 * state in a temporary directory. As root it runs under the default unix jail (the Debian package's
 * varnish/vcache users); as anyone else varnishd falls back to no jail by itself.
 */
export async function startVarnish(options: { backendPort: number; backendHost?: string }): Promise<RunningVarnish> {
  requireVarnish();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'varnish-test-'));
  // Under the unix jail the manager reads the VCL as the varnish user, not as root.
  await chmod(dir, 0o755);
  const template = await readFile(path.join(__dirname, '../../deploy/varnish/default.vcl'), 'utf8');
  const vcl = path.join(dir, 'default.vcl');
  await writeFile(vcl, template.replaceAll('${BACKEND_HOST}', options.backendHost ?? '127.0.0.1').replaceAll('${BACKEND_PORT}', String(options.backendPort)));
  const workdir = path.join(dir, 'workdir');
  let lastError: Error | undefined;
  // freePort can lose the port to another process before varnishd binds it: try another.
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await launch(dir, workdir, vcl, await freePort());
    } catch (error) {
      lastError = error as Error;
    }
  }
  await rm(dir, { recursive: true, force: true });
  throw lastError!;
}

async function launch(dir: string, workdir: string, vcl: string, port: number): Promise<RunningVarnish> {
  // -F: stay in the foreground as our child. detached: its own process group, so stop() can reach
  // the cache child too if the manager does not take it down.
  const child = spawn(VARNISHD, ['-F', '-n', workdir, '-a', `127.0.0.1:${port}`, '-T', '127.0.0.1:0', '-f', vcl, '-s', 'malloc,64m'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  const collect = (d: Buffer) => (output = (output + d.toString()).slice(-4_000));
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('error', (e) => (output += `\n${e.message}`));

  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      // The manager alone: it stops its cache child in order (a signal to both makes it see a crash).
      child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 5_000)))]);
      clearTimeout(timer);
    }
    // The manager is gone; whatever is left of its group (a stuck cache child) goes too.
    signalGroup(child.pid, 'SIGKILL');
    await rm(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 15_000;
  while (!(await answers(port))) {
    if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
      signalGroup(child.pid, 'SIGKILL');
      await exited;
      throw new Error(`varnishd did not start on port ${port}: ${output.trim()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url: `http://127.0.0.1:${port}`, workdir, port, stop };
}

function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (!pid) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

/** A synthetic answer from the VCL itself (a BAN without its header): up without touching the backend. */
function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.setTimeout(1_000);
    let reply = '';
    socket.once('connect', () => socket.write('BAN / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n'));
    socket.on('data', (d: Buffer) => (reply += d.toString()));
    socket.once('end', () => resolve(reply.includes('X-Ban-Path required')));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}
