import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './free-port';

export const NGINX = '/usr/sbin/nginx';

export interface RunningNginx {
  /** The balancer's address, e.g. http://127.0.0.1:40123. */
  url: string;
  port: number;
  pid: number;
  /** What nginx wrote to stderr (its error log), last 8 kB. */
  output(): string;
  stop(): Promise<void>;
}

export function nginxAvailable(): boolean {
  return existsSync(NGINX);
}

/** Fails a suite that needs nginx with what to do about it, rather than with a spawn error. */
export function requireNginx(): void {
  if (!nginxAvailable()) throw new Error(`${NGINX} is missing: apt-get install nginx (.ci/run does it when root)`);
}

export interface NginxOptions {
  /** The instances behind it, balanced round robin. */
  upstreamPorts: number[];
  /** Failed attempts before an instance is taken out for `failTimeoutSeconds` (nginx's max_fails). */
  maxFails?: number;
  failTimeoutSeconds?: number;
}

/**
 * The configuration a deployment would use in front of several instances: round robin, bodies streamed
 * both ways (no request or response buffering, so large uploads and downloads pass through at once),
 * no body size limit of its own (the service enforces MAX_FILE_SIZE), and a failed instance skipped
 * for idempotent requests (nginx never retries a POST/PATCH that reached an upstream). Every answer
 * says which instance gave it (`X-Upstream`), which the tests read.
 */
export function nginxConfig(dir: string, port: number, options: NginxOptions): string {
  const maxFails = options.maxFails ?? 1;
  const failTimeout = options.failTimeoutSeconds ?? 10;
  const servers = options.upstreamPorts.map((p) => `    server 127.0.0.1:${p} max_fails=${maxFails} fail_timeout=${failTimeout}s;`).join('\n');
  return `worker_processes 1;
pid ${dir}/nginx.pid;
error_log stderr warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream service {
${servers}
    keepalive 16;
  }
  server {
    listen 127.0.0.1:${port};
    client_max_body_size 0;
    location = /nginx-alive { return 200 "ok\\n"; }
    location / {
      proxy_pass http://service;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_request_buffering off;
      proxy_buffering off;
      proxy_connect_timeout 2s;
      proxy_read_timeout 60s;
      proxy_send_timeout 60s;
      proxy_next_upstream error timeout http_502 http_503;
      proxy_next_upstream_tries 3;
      add_header X-Upstream $upstream_addr always;
    }
  }
}
`;
}

/** Debian's nginx as a foreground child on a free port, its prefix and temp folders in a temporary directory. */
export async function startNginx(options: NginxOptions): Promise<RunningNginx> {
  requireNginx();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'nginx-test-'));
  // As root, nginx's workers run as nobody and create their temp folders under this directory.
  await chmod(dir, 0o777);
  await mkdir(path.join(dir, 'logs'));
  let lastError: Error | undefined;
  // freePort can lose the port to another process before nginx binds it: try another.
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await launch(dir, await freePort(), options);
    } catch (error) {
      lastError = error as Error;
    }
  }
  await rm(dir, { recursive: true, force: true });
  throw lastError!;
}

async function launch(dir: string, port: number, options: NginxOptions): Promise<RunningNginx> {
  const conf = path.join(dir, 'nginx.conf');
  await writeFile(conf, nginxConfig(dir, port, options));
  // detached: its own process group, so stop() reaches the worker too if the master does not take it down.
  const child = spawn(NGINX, ['-p', dir, '-c', conf, '-e', 'stderr', '-g', 'daemon off;'], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  const collect = (d: Buffer) => (output = (output + d.toString()).slice(-8_000));
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  child.once('error', (e) => (output += `\n${e.message}`));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const running = () => child.exitCode === null && child.signalCode === null;

  const stop = async (): Promise<void> => {
    if (running()) {
      child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 5_000)))]);
      clearTimeout(timer);
    }
    signalGroup(child.pid, 'SIGKILL');
    await rm(dir, { recursive: true, force: true });
  };

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    const res = await fetch(`${url}/nginx-alive`).catch(() => undefined);
    if (res?.status === 200) break;
    if (!running() || Date.now() > deadline) {
      signalGroup(child.pid, 'SIGKILL');
      await exited;
      throw new Error(`nginx did not start on port ${port}: ${output.trim()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url, port, pid: child.pid!, output: () => output, stop };
}

function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (!pid) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}
