import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * nginx (the Debian package) serving one folder on a port, from a generated config whose pid, logs
 * and temp folders all live under `home`, run in the foreground as a child of the benchmark.
 */
export class NginxServer {
  private child: ChildProcess | undefined;
  private output = '';

  constructor(private readonly home: string, private readonly root: string, readonly port: number) {}

  static binary(): string | null {
    for (const candidate of ['/usr/sbin/nginx', '/usr/bin/nginx']) if (fs.existsSync(candidate)) return candidate;
    try {
      return execFileSync('sh', ['-c', 'command -v nginx'], { encoding: 'utf8' }).trim() || null;
    } catch {
      return null;
    }
  }

  /** Installs the Debian package when the benchmark runs as root; otherwise says how. */
  static ensureInstalled(log: (line: string) => void): string {
    const found = NginxServer.binary();
    if (found) return found;
    if (process.getuid?.() !== 0) {
      throw new Error('nginx is not installed: run `sudo apt-get update && sudo apt-get install -y nginx-light` (or nginx), then this benchmark again');
    }
    log('nginx not found: apt-get update && apt-get install -y nginx-light ...\n');
    execFileSync('sh', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light'], { stdio: 'ignore' });
    const installed = NginxServer.binary();
    if (!installed) throw new Error('apt-get install nginx-light did not provide an nginx binary');
    return installed;
  }

  async start(binary: string): Promise<void> {
    const conf = path.join(this.home, 'nginx.conf');
    const temp = (name: string) => path.join(this.home, name);
    // As close to Debian's defaults as a one-file server gets: sendfile, tcp_nopush, auto workers.
    fs.writeFileSync(
      conf,
      `${process.getuid?.() === 0 ? 'user root;\n' : ''}worker_processes auto;
pid ${temp('nginx.pid')};
error_log ${temp('nginx-error.log')} warn;
events { worker_connections 64; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  types { application/octet-stream bin; }
  default_type application/octet-stream;
  client_body_temp_path ${temp('client_body')};
  proxy_temp_path ${temp('proxy')};
  fastcgi_temp_path ${temp('fastcgi')};
  uwsgi_temp_path ${temp('uwsgi')};
  scgi_temp_path ${temp('scgi')};
  server {
    listen 127.0.0.1:${this.port};
    root ${this.root};
  }
}
`,
    );
    this.child = spawn(binary, ['-c', conf, '-p', this.home, '-g', 'daemon off;'], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout?.on('data', (c: Buffer) => (this.output += c.toString()));
    this.child.stderr?.on('data', (c: Buffer) => (this.output += c.toString()));
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) throw new Error(`nginx exited (${this.child.exitCode}): ${this.output}`);
      const res = await fetch(`http://127.0.0.1:${this.port}/`).catch(() => undefined);
      if (res) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`nginx did not answer on ${this.port}: ${this.output}`);
  }

  stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      // QUIT: graceful shutdown of the master and its workers.
      child.kill('SIGQUIT');
    });
  }
}
