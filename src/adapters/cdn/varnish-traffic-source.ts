import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { CdnTrafficSource } from '../../application/ports/cdn.port';
import type { Logger } from '../../application/ports/logger.port';
import type { CdnHit } from '../../domain/storage/cdn';
import { parseVarnishLogLine, VARNISHNCSA_FORMAT } from './varnish-log-line';

export interface VarnishTrafficSourceOptions {
  /** varnishd's `-n`: its working directory or instance name (default: varnishd's own, /var/lib/varnish/<hostname>). */
  workdir?: string;
  /** Default: `varnishncsa` on the PATH. */
  varnishncsaPath?: string;
  /** A batch goes to `record` after this long or at `batchSize` lines, whichever comes first; defaults 250 ms, 200. */
  batchMs?: number;
  batchSize?: number;
  /** Wait before restarting a varnishncsa that exited on its own, doubled while it keeps dying without logging (up to 30 s); default 1000 ms. */
  restartDelayMs?: number;
  logger?: Logger;
}

/** Only what clients fetched from the CDN paths: bans and the API are not CDN traffic. */
const QUERY = 'ReqURL ~ "^/cdn/" and ReqMethod ~ "^(GET|HEAD)$"';
/** Batches handed to `record` but not done yet, beyond which reading pauses. */
const MAX_BATCHES_IN_FLIGHT = 4;

/**
 * Follows Varnish's shared-memory log through a varnishncsa child, which must be able to read it
 * (root, or the varnishlog group of the Debian package). varnishncsa starts at the tail of the log,
 * so requests answered while it was (re)starting are not counted: a restart loses a little traffic
 * rather than counting any twice.
 */
export class VarnishTrafficSource implements CdnTrafficSource {
  private child: ChildProcess | undefined;
  private record: ((hits: CdnHit[]) => Promise<void>) | undefined;
  private pending: CdnHit[] = [];
  private flushTimer: NodeJS.Timeout | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  private inFlight = 0;
  private closing = false;
  private restartsWithoutLines = 0;

  constructor(private readonly options: VarnishTrafficSourceOptions = {}) {}

  async start(record: (hits: CdnHit[]) => Promise<void>): Promise<void> {
    if (this.record) throw new Error('VarnishTrafficSource already started');
    this.record = record;
    // A missing binary is a deployment error worth failing the start for; later exits only restart.
    await this.spawnReader().catch((error: unknown) => {
      this.record = undefined;
      throw error;
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    clearTimeout(this.restartTimer);
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
      child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 5_000)))]);
      clearTimeout(timer);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
    }
    this.flush();
    await this.chain;
  }

  private spawnReader(): Promise<void> {
    const args = ['-q', QUERY, '-F', VARNISHNCSA_FORMAT];
    if (this.options.workdir) args.unshift('-n', this.options.workdir);
    const child = spawn(this.options.varnishncsaPath ?? 'varnishncsa', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2_000)));
    const lines = createInterface({ input: child.stdout!, crlfDelay: Infinity });
    lines.on('line', (line) => this.onLine(line, child));

    return new Promise<void>((resolve, reject) => {
      let spawned = false;
      child.once('spawn', () => {
        spawned = true;
        resolve();
      });
      child.once('error', (error) => {
        if (spawned) this.options.logger?.error({ err: error.message }, 'varnishncsa failed');
        else reject(new Error(`Cannot start varnishncsa: ${error.message}`));
      });
      // 'close' waits for stdout to end too, so the last lines are read before a restart.
      child.once('close', (code, signal) => {
        if (spawned) this.restartLater(`exited (${signal ?? `code ${code}`})`, stderr);
      });
    });
  }

  private restartLater(reason: string, stderr: string): void {
    if (this.closing) return;
    const delayMs = Math.min((this.options.restartDelayMs ?? 1_000) * 2 ** this.restartsWithoutLines, 30_000);
    this.restartsWithoutLines += 1;
    this.options.logger?.warn({ reason, stderr: stderr.trim() || undefined, delayMs }, 'varnishncsa stopped; restarting it');
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.closing) return;
      this.spawnReader().catch((error: unknown) => this.restartLater((error as Error).message, ''));
    }, delayMs);
  }

  private onLine(line: string, child: ChildProcess): void {
    const hit = parseVarnishLogLine(line);
    if (!hit) {
      if (line.trim()) this.options.logger?.warn({ line: line.slice(0, 200) }, 'varnishncsa line not understood');
      return;
    }
    this.restartsWithoutLines = 0;
    this.pending.push(hit);
    if (this.pending.length >= (this.options.batchSize ?? 200)) this.flush();
    else this.flushTimer ??= setTimeout(() => this.flush(), this.options.batchMs ?? 250);
    if (this.inFlight >= MAX_BATCHES_IN_FLIGHT) child.stdout?.pause();
  }

  private flush(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.pending.length === 0 || !this.record) return;
    const batch = this.pending;
    this.pending = [];
    const record = this.record;
    this.inFlight += 1;
    this.chain = this.chain
      .then(() => record(batch))
      .catch((error: unknown) => this.options.logger?.error({ err: error instanceof Error ? error.message : String(error), lost: batch.length }, 'recording CDN traffic failed'))
      .finally(() => {
        this.inFlight -= 1;
        if (this.inFlight < MAX_BATCHES_IN_FLIGHT) this.child?.stdout?.resume();
      });
  }
}
