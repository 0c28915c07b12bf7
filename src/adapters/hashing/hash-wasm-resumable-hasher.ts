import { createMD5, createSHA256, type IHasher } from 'hash-wasm';
import type { ContentDigests } from '../../application/ports/content-hasher.port';
import type { ResumableHashRun, ResumableHasher } from '../../application/ports/resumable-hasher.port';

/** First byte of a saved state: the layout below, so a later layout can tell old states apart. */
const LAYOUT = 1;

/**
 * md5 and sha256 from hash-wasm, whose save()/load() give a state any process can continue (Node's
 * crypto hashes cannot be exported). Runs on the caller's thread, both hashes one after the other
 * (about 195 MB/s per CPU second here); the service hashes with WorkerThreadResumableHasher, the same
 * states on two threads (docs/benchmarks.md, resumable hashing on threads). A saved state is
 * [LAYOUT][md5 state length, u16 BE][md5 state][sha256 state], a few hundred bytes.
 */
export class HashWasmResumableHasher implements ResumableHasher {
  async resume(state: Uint8Array | null): Promise<ResumableHashRun> {
    const [md5, sha256] = await Promise.all([createMD5(), createSHA256()]);
    if (state) {
      const { md5State, sha256State } = splitStates(state);
      md5.load(md5State);
      sha256.load(sha256State);
    } else {
      md5.init();
      sha256.init();
    }
    return new HashWasmRun(md5, sha256);
  }
}

class HashWasmRun implements ResumableHashRun {
  constructor(
    private readonly md5: IHasher,
    private readonly sha256: IHasher,
  ) {}

  update(chunk: Buffer): undefined {
    this.md5.update(chunk);
    this.sha256.update(chunk);
    return undefined;
  }

  async save(): Promise<Uint8Array> {
    return joinStates(this.md5.save(), this.sha256.save());
  }

  async digest(): Promise<ContentDigests> {
    return { md5: this.md5.digest('hex'), sha256: this.sha256.digest('hex') };
  }
}

/** The saved state of a run from hash-wasm's two states (WorkerThreadResumableHasher writes the same). */
export function joinStates(md5State: Uint8Array, sha256State: Uint8Array): Uint8Array {
  const out = new Uint8Array(3 + md5State.length + sha256State.length);
  out[0] = LAYOUT;
  out[1] = md5State.length >> 8;
  out[2] = md5State.length & 0xff;
  out.set(md5State, 3);
  out.set(sha256State, 3 + md5State.length);
  return out;
}

export function splitStates(state: Uint8Array): { md5State: Uint8Array; sha256State: Uint8Array } {
  const md5Length = ((state[1] ?? 0) << 8) | (state[2] ?? 0);
  if (state[0] !== LAYOUT || state.length <= 3 + md5Length) throw new Error('Unreadable upload hash state');
  return { md5State: state.subarray(3, 3 + md5Length), sha256State: state.subarray(3 + md5Length) };
}
