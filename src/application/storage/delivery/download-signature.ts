import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Disposition } from '../../../domain/storage/content-disposition';
import { InvalidSignature } from '../../../domain/storage/errors';

export interface SignedDownload {
  fileId: string;
  /** Unix seconds. */
  expires: number;
  disposition: Disposition;
  /** Empty: the file's original name. */
  filename: string;
}

/**
 * HMAC-SHA256 over everything the signed URL decides (file, expiry, disposition, file name), so none
 * of them can be changed without the secret. Fields are length-prefixed: no two inputs sign alike.
 */
export class DownloadSignature {
  constructor(private readonly secret: string) {}

  sign(download: SignedDownload): string {
    const fields = [download.fileId, String(download.expires), download.disposition, download.filename];
    const message = fields.map((f) => `${Buffer.byteLength(f)}:${f}`).join('|');
    return createHmac('sha256', this.secret).update(message).digest('base64url');
  }

  /** Throws InvalidSignature when the signature does not match or the URL has expired. */
  verify(download: SignedDownload, signature: string, now: Date): void {
    const expected = Buffer.from(this.sign(download));
    const given = Buffer.from(signature);
    const matches = given.length === expected.length && timingSafeEqual(given, expected);
    if (!matches) throw new InvalidSignature('The download signature is not valid', { reason: 'bad_signature' });
    if (now.getTime() > download.expires * 1000) throw new InvalidSignature('The download URL has expired', { reason: 'expired' });
  }
}
