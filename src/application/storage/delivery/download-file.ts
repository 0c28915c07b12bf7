import type { Caller } from '../../../domain/auth/caller';
import { contentDisposition, type Disposition } from '../../../domain/storage/content-disposition';
import type { StoredFile } from '../../../domain/storage/stored-file';
import type { Clock } from '../../ports/clock.port';
import type { FileRepository } from '../../ports/file-repository.port';
import type { ObjectUrlSigner } from '../../ports/object-store.port';
import type { DownloadSignature } from './download-signature';
import { readableFile } from './readable-file';

export interface DownloadRequest {
  fileId: string;
  caller: Caller | undefined;
  disposition: Disposition;
  /** Defaults to the file's original name. */
  filename?: string;
}

export interface DownloadLink {
  file: StoredFile;
  /** Absolute (provider-signed) or a service path (/api/v1/storage/signed/...). */
  url: string;
  contentDisposition: string;
  expiresInSeconds: number;
}

/**
 * Where to fetch a file: a provider-signed URL when the provider signs (Azure SAS, S3 presigned), else
 * the service's own signed URL, valid for `expiresInSeconds` and bound to the disposition and name.
 */
export class DownloadFile {
  constructor(
    private readonly files: FileRepository,
    private readonly providerSigner: ObjectUrlSigner | null,
    private readonly signature: DownloadSignature,
    private readonly clock: Clock,
    private readonly expiresInSeconds: number,
  ) {}

  async execute(request: DownloadRequest): Promise<DownloadLink> {
    const file = await readableFile(this.files, request.fileId, request.caller);
    const filename = request.filename ?? '';
    const header = contentDisposition(request.disposition, filename || file.originalName);
    const expiresInSeconds = this.expiresInSeconds;
    // A provider-signed URL would hand out the ciphertext: encrypted files go through the service.
    if (this.providerSigner && !file.encryption) {
      const url = await this.providerSigner.signedUrl(file.filePath, { expiresInSeconds, contentDisposition: header, contentType: file.mimeType });
      return { file, url, contentDisposition: header, expiresInSeconds };
    }
    const expires = Math.floor(this.clock.now().getTime() / 1000) + expiresInSeconds;
    const signed = { fileId: file.id, expires, disposition: request.disposition, filename };
    const query = new URLSearchParams({ expires: String(expires), disposition: request.disposition });
    if (filename) query.set('filename', filename);
    query.set('signature', this.signature.sign(signed));
    return { file, url: `/api/v1/storage/signed/${encodeURIComponent(file.id)}?${query}`, contentDisposition: header, expiresInSeconds };
  }
}
