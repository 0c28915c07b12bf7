import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { findProjectRoot } from '../../src/infrastructure/paths';

/** The service started as a user starts it (its real main), in a child process. */
export class ServiceProcess {
  private child: ChildProcess | undefined;
  output = '';
  exitCode: number | null | undefined;

  constructor(private readonly env: Record<string, string>) {}

  /** The started child's pid (tsx's launcher: the service itself may run in a child of it). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): void {
    const root = findProjectRoot(__dirname);
    // Only what the service needs: no DATABASE_URL / REDIS_URL from the test run leaks in.
    const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', ...this.env };
    this.child = spawn(path.join(root, 'node_modules/.bin/tsx'), [path.join(root, 'src/infrastructure/main.ts')], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.exitCode = undefined;
    const append = (chunk: Buffer) => {
      this.output += chunk.toString();
    };
    this.child.stdout?.on('data', append);
    this.child.stderr?.on('data', append);
    this.child.on('exit', (code) => {
      this.exitCode = code;
    });
  }

  /** Polls `url` until it answers `status`, or fails with the process output after `timeoutMs`. */
  async waitFor(url: string, status = 200, timeoutMs = 90_000): Promise<Response> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.exitCode !== undefined) throw new Error(`service exited (${this.exitCode}):\n${this.output.slice(-3000)}`);
      const res = await fetch(url).catch(() => undefined);
      if (res?.status === status) return res;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`no ${status} from ${url} within ${timeoutMs} ms:\n${this.output.slice(-3000)}`);
  }

  /** Sends a signal and resolves with the exit code. */
  stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 30_000): Promise<number | null> {
    const child = this.child;
    if (!child || this.exitCode !== undefined) return Promise.resolve(this.exitCode ?? null);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`service did not exit within ${timeoutMs} ms after ${signal}:\n${this.output.slice(-3000)}`));
      }, timeoutMs);
      child.once('exit', (code) => {
        clearTimeout(timer);
        resolve(code);
      });
      child.kill(signal);
    });
  }
}
