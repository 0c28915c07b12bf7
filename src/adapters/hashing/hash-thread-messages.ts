/** The two algorithms a hash thread may compute; each thread computes one for every run. */
export type HashAlgorithm = 'md5' | 'sha256';

/** What a hash thread is started with. */
export interface HashThreadData {
  algorithm: HashAlgorithm;
}

/** From a run to its hash thread. A run's id routes every message; `ring` is the run's shared bytes. */
export type HashRequest =
  /** `resumeFrom` (even null): a resumable run, hashed with hash-wasm from that saved state (null: from the start). */
  | { op: 'open'; id: number; ring: SharedArrayBuffer; resumeFrom?: Uint8Array | null }
  | { op: 'update'; id: number; offset: number; length: number }
  /** `save` (resumable runs): the state after every byte handed over, and the run ends, as with `digest`. */
  | { op: 'digest' | 'abort' | 'save'; id: number };

/**
 * From a hash thread back: a slot was read (and may be refilled), the run's hex digest or its saved
 * state (null: no such run, or a state that would not load).
 */
export type HashReply =
  | { id: number; op: 'done'; offset: number }
  | { id: number; op: 'digest'; hex: string | null }
  | { id: number; op: 'saved'; state: Uint8Array | null };
