/**
 * The body of one hash thread (see WorkerThreadContentHasher): it keeps a hash per run and, for each
 * slot handed over, hashes those bytes of the run's shared ring and says the slot is free again.
 * Resumable runs (tus, the seed's chunks) hash with hash-wasm, whose state can be saved and loaded;
 * the others with Node's crypto.
 */
import { createHash } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import { createMD5, createSHA256, type IHasher } from 'hash-wasm';
import type { HashReply, HashRequest, HashThreadData } from './hash-thread-messages';

interface ThreadHash {
  update(bytes: Uint8Array): void;
  digest(): string;
  save?(): Uint8Array;
}

interface Run {
  /** Null while a resumable run's hasher is being created, or when its state would not load. */
  hash: ThreadHash | null;
  bytes: Uint8Array;
  /** Messages that came while the hasher was being created, handled in order once it is. */
  queued: HashRequest[] | null;
}

const port = parentPort;
if (!port) throw new Error('content-hash-worker runs only as a worker thread');
const { algorithm } = workerData as HashThreadData;
const runs = new Map<number, Run>();
const reply = (message: HashReply) => port.postMessage(message);

function wasmHash(hasher: IHasher): ThreadHash {
  return { update: (bytes) => hasher.update(bytes), digest: () => hasher.digest('hex'), save: () => hasher.save() };
}

function open(id: number, ring: SharedArrayBuffer, resumeFrom: Uint8Array | null | undefined): void {
  const bytes = new Uint8Array(ring);
  if (resumeFrom === undefined) {
    const hash = createHash(algorithm);
    runs.set(id, { hash: { update: (b) => hash.update(b), digest: () => hash.digest('hex') }, bytes, queued: null });
    return;
  }
  const run: Run = { hash: null, bytes, queued: [] };
  runs.set(id, run);
  (algorithm === 'md5' ? createMD5() : createSHA256())
    .then((hasher) => {
      if (resumeFrom) hasher.load(resumeFrom);
      else hasher.init();
      run.hash = wasmHash(hasher);
    })
    // A state that will not load leaves the hash null: the run's digest or save answers null.
    .catch(() => undefined)
    .finally(() => {
      const queued = run.queued ?? [];
      run.queued = null;
      for (const message of queued) handle(message);
    });
}

function handle(message: HashRequest): void {
  if (message.op === 'open') return open(message.id, message.ring, message.resumeFrom);
  const run = runs.get(message.id);
  if (run?.queued) {
    run.queued.push(message);
    return;
  }
  switch (message.op) {
    case 'update':
      run?.hash?.update(run.bytes.subarray(message.offset, message.offset + message.length));
      // Answered even for an unknown run, so the sender's slot is never left counted as being read.
      reply({ id: message.id, op: 'done', offset: message.offset });
      return;
    case 'digest':
      runs.delete(message.id);
      reply({ id: message.id, op: 'digest', hex: run?.hash ? run.hash.digest() : null });
      return;
    case 'save':
      runs.delete(message.id);
      reply({ id: message.id, op: 'saved', state: run?.hash?.save ? run.hash.save() : null });
      return;
    case 'abort':
      runs.delete(message.id);
      return;
  }
}

port.on('message', handle);
