import { Transform } from 'node:stream';

/**
 * Passes a stream on one chunk behind, and the last chunk only once its source has ended cleanly.
 * The archive's own checks (size, sha256) can only fail at its end: held back like this, pg_restore
 * never has the whole archive, so it can never commit one that then turns out corrupt.
 */
export function holdBackLastChunk(): Transform {
  let held: Buffer | null = null;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      const previous = held;
      held = chunk;
      done(null, previous ?? undefined);
    },
    flush(done) {
      done(null, held ?? undefined);
    },
  });
}
