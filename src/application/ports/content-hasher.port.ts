/** Hex digests of every byte fed to one HashRun. */
export interface ContentDigests {
  md5: string;
  sha256: string;
}

/** One stream's md5 and sha256, fed chunk by chunk in order. */
export interface HashRun {
  /**
   * Takes the chunk (the caller may reuse it once this returns or, when it returns a promise, once the
   * promise settles). A promise means the hasher is behind: feed nothing more until it settles, so
   * nothing buffers without bound.
   */
  update(chunk: Buffer): Promise<void> | undefined;
  digest(): Promise<ContentDigests>;
  /** Gives up: no digest will be asked for. */
  abort(): void;
}

/** Where the hashing happens (the event loop, other threads) is the adapter's business. */
export interface ContentHasher {
  start(): HashRun;
}
