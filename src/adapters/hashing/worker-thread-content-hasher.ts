import { Worker } from 'node:worker_threads';
import { hashWorkerScript } from './hash-worker-script';
import type { HashAlgorithm, HashReply, HashRequest, HashThreadData } from './hash-thread-messages';
import type { ContentDigests, ContentHasher, HashRun } from '../../application/ports/content-hasher.port';

/**
 * Bytes per hand-over to the workers: four messages each way per MiB, whatever the chunk size (1 MiB
 * slots measured the same, at four times the memory per upload).
 */
const SLOT_BYTES = 256 * 1024;
/** Hand-overs in flight per run: the most a run holds (1 MiB), and the slack that keeps both workers busy. */
const SLOTS = 4;
/** Rings kept for the next runs, so a new upload does not fault in fresh pages. */
const POOLED_RINGS = 4;

/** One thread computing one algorithm for every run; replies are routed to the run by id. */
class HashThread {
  private readonly worker: Worker;
  private readonly runs = new Map<number, (reply: HashReply) => void>();
  private readonly onFailure: (failure: Error) => void;
  dead = false;

  constructor(algorithm: HashAlgorithm, onFailure: (failure: Error) => void) {
    this.onFailure = onFailure;
    const script = hashWorkerScript();
    const workerData: HashThreadData = { algorithm };
    this.worker = new Worker(script.filename, { ...script.options, workerData, name: `hash-${algorithm}` });
    // Idle hash threads must not keep the process alive; a run in progress has its socket for that.
    this.worker.unref();
    this.worker.on('message', (reply: HashReply) => this.runs.get(reply.id)?.(reply));
    this.worker.on('error', (error) => this.fail(error));
    this.worker.on('exit', (code) => this.fail(new Error(`hash thread ${algorithm} exited (code ${code})`)));
  }

  listen(id: number, handler: (reply: HashReply) => void): void {
    this.runs.set(id, handler);
  }

  forget(id: number): void {
    this.runs.delete(id);
  }

  post(message: HashRequest): void {
    this.worker.postMessage(message);
  }

  async terminate(): Promise<void> {
    this.dead = true;
    await this.worker.terminate();
  }

  private fail(error: Error): void {
    if (this.dead) return;
    this.dead = true;
    this.onFailure(error);
  }
}

/**
 * md5 and sha256 each on a thread of its own, so neither runs on the event loop and they run in
 * parallel with each other and with the disk write (docs/benchmarks.md, Storage). Bytes are copied
 * into a run's shared ring of SLOTS × 256 KiB and each full slot is handed to both threads; a run whose
 * ring is full waits for a slot (HashRun.update's promise), so memory per upload stays at the ring.
 */
export class WorkerThreadContentHasher implements ContentHasher {
  private threads: { md5: HashThread; sha256: HashThread } | null = null;
  private readonly live = new Set<WorkerHashRun>();
  private readonly rings: SharedArrayBuffer[] = [];
  private nextId = 1;

  start(): HashRun {
    return this.open(undefined);
  }

  /**
   * A run hashed with hash-wasm on the threads, continuing from saved states (null: from the first
   * byte), whose `save()` gives the states to continue from later (WorkerThreadResumableHasher).
   */
  startResumable(from: ThreadStates | null): WorkerHashRun {
    return this.open(from);
  }

  private open(resumeFrom: ThreadStates | null | undefined): WorkerHashRun {
    const threads = this.ensureThreads();
    const ring = this.rings.pop() ?? new SharedArrayBuffer(SLOT_BYTES * SLOTS);
    const run = new WorkerHashRun(this.nextId++, ring, threads, resumeFrom, (finished, reusable) => {
      this.live.delete(finished);
      if (reusable && this.rings.length < POOLED_RINGS) this.rings.push(ring);
    });
    this.live.add(run);
    return run;
  }

  async close(): Promise<void> {
    const threads = this.threads;
    this.threads = null;
    for (const run of this.live) run.fail(new Error('The hasher was closed'));
    if (threads) await Promise.all([threads.md5.terminate(), threads.sha256.terminate()]);
  }

  private ensureThreads(): { md5: HashThread; sha256: HashThread } {
    if (this.threads && !this.threads.md5.dead && !this.threads.sha256.dead) return this.threads;
    const old = this.threads;
    if (old) void Promise.all([old.md5.terminate(), old.sha256.terminate()]).catch(() => undefined);
    const onFailure = (failure: Error) => {
      for (const run of [...this.live]) if (run.uses(threads)) run.fail(failure);
    };
    const threads = { md5: new HashThread('md5', onFailure), sha256: new HashThread('sha256', onFailure) };
    this.threads = threads;
    return threads;
  }
}

/** Each thread's saved hash-wasm state. */
export interface ThreadStates {
  md5: Uint8Array;
  sha256: Uint8Array;
}

export class WorkerHashRun implements HashRun {
  private readonly bytes: Buffer;
  /** Per slot, how many threads still read it. */
  private readonly readers = new Array<number>(SLOTS).fill(0);
  private slot = 0;
  private filled = 0;
  private waiting: { chunk: Buffer; from: number; resolve: () => void; reject: (error: Error) => void } | null = null;
  private digests: { md5?: string; sha256?: string; resolve?: (digests: ContentDigests) => void; reject?: (error: Error) => void } = {};
  private states: { md5?: Uint8Array; sha256?: Uint8Array; resolve?: (states: ThreadStates) => void; reject?: (error: Error) => void } = {};
  private failure: Error | null = null;
  private finished = false;

  constructor(
    private readonly id: number,
    ring: SharedArrayBuffer,
    private readonly threads: { md5: HashThread; sha256: HashThread },
    resumeFrom: ThreadStates | null | undefined,
    private readonly onFinish: (run: WorkerHashRun, reusable: boolean) => void,
  ) {
    this.bytes = Buffer.from(ring);
    for (const algorithm of ['md5', 'sha256'] as const) {
      threads[algorithm].listen(id, (reply) => this.onReply(algorithm, reply));
      threads[algorithm].post(resumeFrom === undefined ? { op: 'open', id, ring } : { op: 'open', id, ring, resumeFrom: resumeFrom?.[algorithm] ?? null });
    }
  }

  uses(threads: { md5: HashThread; sha256: HashThread }): boolean {
    return this.threads === threads;
  }

  update(chunk: Buffer): Promise<void> | undefined {
    if (this.failure) return Promise.reject(this.failure);
    if (this.finished) return Promise.reject(new Error('HashRun.update after digest or abort'));
    const from = this.feed(chunk, 0);
    if (from === chunk.length) return undefined;
    return new Promise<void>((resolve, reject) => {
      this.waiting = { chunk, from, resolve, reject };
    });
  }

  digest(): Promise<ContentDigests> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.waiting) return Promise.reject(new Error('HashRun.digest before the last update settled'));
    if (this.filled > 0) this.handOver();
    return new Promise<ContentDigests>((resolve, reject) => {
      this.digests.resolve = resolve;
      this.digests.reject = reject;
      this.threads.md5.post({ op: 'digest', id: this.id });
      this.threads.sha256.post({ op: 'digest', id: this.id });
    });
  }

  /** Resumable runs only: the threads' states after every byte fed; the run ends, as with digest. */
  save(): Promise<ThreadStates> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.waiting) return Promise.reject(new Error('save before the last update settled'));
    if (this.finished) return Promise.reject(new Error('save after digest, save or abort'));
    if (this.filled > 0) this.handOver();
    return new Promise<ThreadStates>((resolve, reject) => {
      this.states.resolve = resolve;
      this.states.reject = reject;
      this.threads.md5.post({ op: 'save', id: this.id });
      this.threads.sha256.post({ op: 'save', id: this.id });
    });
  }

  abort(): void {
    if (this.finished) return;
    this.threads.md5.post({ op: 'abort', id: this.id });
    this.threads.sha256.post({ op: 'abort', id: this.id });
    // Slots may still be read by a thread: the ring is not reused.
    this.finish(false);
  }

  fail(error: Error): void {
    if (this.finished) return;
    this.failure = error;
    this.waiting?.reject(error);
    this.waiting = null;
    this.digests.reject?.(error);
    this.states.reject?.(error);
    this.finish(false);
  }

  /** Copies from `chunk[from..]` into free slots; returns where it stopped (chunk.length when all was taken). */
  private feed(chunk: Buffer, from: number): number {
    while (from < chunk.length) {
      if (this.filled === 0 && this.readers[this.slot]! > 0) return from;
      const n = Math.min(SLOT_BYTES - this.filled, chunk.length - from);
      chunk.copy(this.bytes, this.slot * SLOT_BYTES + this.filled, from, from + n);
      this.filled += n;
      from += n;
      if (this.filled === SLOT_BYTES) this.handOver();
    }
    return from;
  }

  private handOver(): void {
    const message = { op: 'update' as const, id: this.id, offset: this.slot * SLOT_BYTES, length: this.filled };
    this.readers[this.slot] = 2;
    this.threads.md5.post(message);
    this.threads.sha256.post(message);
    this.slot = (this.slot + 1) % SLOTS;
    this.filled = 0;
  }

  private onReply(algorithm: HashAlgorithm, reply: HashReply): void {
    if (this.finished) return;
    if (reply.op === 'done') {
      const slot = reply.offset / SLOT_BYTES;
      this.readers[slot]! -= 1;
      const waiting = this.waiting;
      if (waiting && this.readers[slot] === 0) {
        const from = this.feed(waiting.chunk, waiting.from);
        if (from === waiting.chunk.length) {
          this.waiting = null;
          waiting.resolve();
        } else {
          waiting.from = from;
        }
      }
      return;
    }
    if (reply.op === 'saved') {
      if (reply.state === null) return this.fail(new Error(`hash thread ${algorithm} lost the run`));
      this.states[algorithm] = reply.state;
      const { md5, sha256, resolve } = this.states;
      if (md5 !== undefined && sha256 !== undefined) {
        this.finish(true);
        resolve?.({ md5, sha256 });
      }
      return;
    }
    if (reply.hex === null) return this.fail(new Error(`hash thread ${algorithm} lost the run`));
    this.digests[algorithm] = reply.hex;
    const { md5, sha256, resolve } = this.digests;
    if (md5 !== undefined && sha256 !== undefined) {
      this.finish(true);
      resolve?.({ md5, sha256 });
    }
  }

  private finish(reusable: boolean): void {
    this.finished = true;
    this.threads.md5.forget(this.id);
    this.threads.sha256.forget(this.id);
    this.onFinish(this, reusable);
  }
}
