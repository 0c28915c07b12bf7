import type { Disposition } from '../../../domain/storage/content-disposition';
import { contentDisposition } from '../../../domain/storage/content-disposition';
import { FileNotFound } from '../../../domain/storage/errors';
import type { StoredFile } from '../../../domain/storage/stored-file';
import type { Clock } from '../../ports/clock.port';
import type { FileRepository } from '../../ports/file-repository.port';
import type { DownloadSignature } from './download-signature';

export interface SignedDownloadRequest {
  fileId: string;
  expires: number;
  disposition: Disposition;
  filename: string;
  signature: string;
}

/** The file a service-signed URL names, once its signature and expiry check out (else 403 INVALID_SIGNATURE). */
export class OpenSignedDownload {
  constructor(
    private readonly files: FileRepository,
    private readonly signature: DownloadSignature,
    private readonly clock: Clock,
  ) {}

  async execute(request: SignedDownloadRequest): Promise<{ file: StoredFile; contentDisposition: string }> {
    const { signature, ...signed } = request;
    this.signature.verify(signed, signature, this.clock.now());
    const file = await this.files.findById(request.fileId);
    if (!file || file.deletedAt) throw new FileNotFound('File not found', { file_id: request.fileId });
    return { file, contentDisposition: contentDisposition(request.disposition, request.filename || file.originalName) };
  }
}
