/** The two algorithms a hash thread may compute; each thread computes one for every run. */
export type HashAlgorithm = 'md5' | 'sha256';

/** What a hash thread is started with. */
export interface HashThreadData {
  algorithm: HashAlgorithm;
}

/** From a run to its hash thread. A run's id routes every message; `ring` is the run's shared bytes. */
export type HashRequest =
  | { op: 'open'; id: number; ring: SharedArrayBuffer }
  | { op: 'update'; id: number; offset: number; length: number }
  | { op: 'digest' | 'abort'; id: number };

/** From a hash thread back: a slot was read (and may be refilled), or the run's hex digest (null: no such run). */
export type HashReply = { id: number; op: 'done'; offset: number } | { id: number; op: 'digest'; hex: string | null };
