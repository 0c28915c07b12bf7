import type { Caller } from '../../../domain/auth/caller';
import type { StoredFile } from '../../../domain/storage/stored-file';
import type { ExtractedMetadata, FileRepository, FileTransformationSummary } from '../../ports/file-repository.port';
import { accessibleFile } from './accessible-file';

export interface FileDetails {
  file: StoredFile;
  metadata: ExtractedMetadata[];
  transformations: FileTransformationSummary[];
}

export class GetFile {
  constructor(private readonly files: FileRepository) {}

  async execute(input: { caller: Caller; fileId: string }): Promise<FileDetails> {
    const file = await accessibleFile(this.files, input.caller, input.fileId);
    const [metadata, transformations] = await Promise.all([this.files.metadataOf(file.id), this.files.transformationsOf(file.id)]);
    return { file, metadata, transformations };
  }
}
