import { PassThrough, type Transform } from 'node:stream';
import type { ArchiveCipher } from '../../application/ports/archive-cipher.port';

/** Archives stored as pg_dump wrote them; for tests of the other layers (production always encrypts). */
export class PlainArchiveCipher implements ArchiveCipher {
  readonly encrypts = false;
  encrypt(): Transform {
    return new PassThrough();
  }
  decrypt(): Transform {
    return new PassThrough();
  }
}
