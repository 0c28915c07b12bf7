import { createHash, randomBytes } from 'node:crypto';
import { HashWasmResumableHasher } from '../../src/adapters/hashing/hash-wasm-resumable-hasher';
import { WorkerThreadResumableHasher } from '../../src/adapters/hashing/worker-thread-resumable-hasher';
import type { ResumableHasher } from '../../src/application/ports/resumable-hasher.port';
import { resumableHasherContract } from '../contract/resumable-hasher.contract';

// Two instances taken in turn: each call gets another instance than the call before (a state saved by
// one is continued by the other, as by another process), without starting two threads per call.
const opened = [new WorkerThreadResumableHasher(), new WorkerThreadResumableHasher()];
let turn = 0;
const aWorkerHasher = () => opened[turn++ % 2]!;
afterAll(() => Promise.all(opened.map((h) => h.close())));

resumableHasherContract('WorkerThreadResumableHasher', aWorkerHasher);

const digestsOf = (bytes: Buffer) => ({ md5: createHash('md5').update(bytes).digest('hex'), sha256: createHash('sha256').update(bytes).digest('hex') });

async function feed(run: { update(chunk: Buffer): Promise<void> | undefined }, bytes: Buffer): Promise<void> {
  for (let at = 0; at < bytes.length; at += 64 * 1024) {
    const taken = run.update(bytes.subarray(at, at + 64 * 1024));
    if (taken) await taken;
  }
}

describe('WorkerThreadResumableHasher', () => {
  it('writes the states HashWasmResumableHasher writes: either continues the other (a rolling upgrade)', async () => {
    const bytes = randomBytes(3 * 1024 * 1024 + 17);
    const cuts = [0, 1_000_001, 2_000_003, bytes.length];
    const hashers: ResumableHasher[] = [aWorkerHasher(), new HashWasmResumableHasher(), aWorkerHasher()];
    let state: Uint8Array | null = null;
    for (let i = 1; i < cuts.length; i++) {
      const run = await hashers[i - 1]!.resume(state);
      await feed(run, bytes.subarray(cuts[i - 1], cuts[i]));
      state = await run.save();
    }
    expect(await (await new HashWasmResumableHasher().resume(state)).digest()).toEqual(digestsOf(bytes));
    expect(await (await aWorkerHasher().resume(state)).digest()).toEqual(digestsOf(bytes));
  });

  it('runs many uploads at once, some dropped halfway (a failed request), each with its own digests', async () => {
    const hasher = aWorkerHasher();
    const bodies = Array.from({ length: 6 }, (_, i) => randomBytes(1024 * 1024 + i * 4099));
    const dropped = await Promise.all(bodies.slice(0, 2).map(async (body) => {
      const run = await hasher.resume(null);
      await feed(run, body.subarray(0, 300_000));
    }));
    expect(dropped).toHaveLength(2);
    const digests = await Promise.all(bodies.map(async (body) => {
      const run = await hasher.resume(null);
      await feed(run, body);
      return run.digest();
    }));
    expect(digests).toEqual(bodies.map(digestsOf));
  });

  it('fails a run whose state would not load on the threads, instead of hanging', async () => {
    const garbage = new Uint8Array(40).fill(7);
    garbage[0] = 1;
    garbage[1] = 0;
    garbage[2] = 10;
    const run = await aWorkerHasher().resume(garbage);
    await expect(run.digest()).rejects.toThrow(/lost the run/);
  });
});
