import type { ContentDigests } from './content-hasher.port';

/** md5 and sha256 of an upload that arrives over many requests, possibly on different processes. */
export interface ResumableHashRun {
  /** As HashRun.update: a promise means feed nothing more until it settles. */
  update(chunk: Buffer): Promise<void> | undefined;
  /** The state after every byte fed so far, to store with the session and resume from anywhere (the run may not be fed afterwards). */
  save(): Promise<Uint8Array>;
  /** The digests of every byte fed so far (the run may not be fed afterwards). */
  digest(): Promise<ContentDigests>;
}

/** A hasher whose state outlives the request (and the process): what the resumable uploads hash with. */
export interface ResumableHasher {
  /** A run continuing from `state` (a `save()` of this hasher), or from the first byte when null. */
  resume(state: Uint8Array | null): Promise<ResumableHashRun>;
}
