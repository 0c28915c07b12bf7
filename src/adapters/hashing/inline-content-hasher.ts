import { createHash } from 'node:crypto';
import type { ContentDigests, ContentHasher, HashRun } from '../../application/ports/content-hasher.port';

/** Both hashes on the caller's thread, in sequence: for tests, and where threads are not worth it. */
export class InlineContentHasher implements ContentHasher {
  start(): HashRun {
    const md5 = createHash('md5');
    const sha256 = createHash('sha256');
    return {
      update(chunk: Buffer): undefined {
        md5.update(chunk);
        sha256.update(chunk);
        return undefined;
      },
      digest: async (): Promise<ContentDigests> => ({ md5: md5.digest('hex'), sha256: sha256.digest('hex') }),
      abort: () => undefined,
    };
  }
}

