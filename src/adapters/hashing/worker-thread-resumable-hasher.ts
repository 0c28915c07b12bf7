import type { ContentDigests } from '../../application/ports/content-hasher.port';
import type { ResumableHashRun, ResumableHasher } from '../../application/ports/resumable-hasher.port';
import { joinStates, splitStates } from './hash-wasm-resumable-hasher';
import { WorkerThreadContentHasher, type WorkerHashRun } from './worker-thread-content-hasher';

/**
 * HashWasmResumableHasher's hashes (hash-wasm md5 and sha256, the same saved states, so either
 * continues the other's) computed on WorkerThreadContentHasher's two threads instead of the event
 * loop: md5 and sha256 run in parallel with each other and with the socket and disk (docs/benchmarks.md,
 * resumable hashing on threads). Memory per run: its 1 MiB ring.
 */
export class WorkerThreadResumableHasher implements ResumableHasher {
  /** A run dropped without save or digest (its request failed) is ended on the threads once collected. */
  private readonly dropped = new FinalizationRegistry<WorkerHashRun>((run) => run.abort());

  /** `threads`: the service shares the direct uploads' pair (two threads in all); by default a pair of its own. */
  constructor(private readonly threads = new WorkerThreadContentHasher()) {}

  async resume(state: Uint8Array | null): Promise<ResumableHashRun> {
    const from = state ? splitStates(state) : null;
    const inner = this.threads.startResumable(from ? { md5: from.md5State, sha256: from.sha256State } : null);
    const run = new ThreadRun(inner, () => this.dropped.unregister(run));
    this.dropped.register(run, inner, run);
    return run;
  }

  /** Stops the threads (shared ones too: close them where they were made instead). */
  close(): Promise<void> {
    return this.threads.close();
  }
}

class ThreadRun implements ResumableHashRun {
  constructor(
    private readonly inner: WorkerHashRun,
    private readonly ended: () => void,
  ) {}

  update(chunk: Buffer): Promise<void> | undefined {
    return this.inner.update(chunk);
  }

  async save(): Promise<Uint8Array> {
    this.ended();
    const states = await this.inner.save();
    return joinStates(states.md5, states.sha256);
  }

  digest(): Promise<ContentDigests> {
    this.ended();
    return this.inner.digest();
  }
}
