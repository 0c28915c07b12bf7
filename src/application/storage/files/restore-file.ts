import type { Caller } from '../../../domain/auth/caller';
import { FileNotFound } from '../../../domain/storage/errors';
import type { StoredFile } from '../../../domain/storage/stored-file';
import type { FileRepository } from '../../ports/file-repository.port';
import { accessibleFile } from './accessible-file';

/** Takes a file out of the trash; a file not in the trash is not found there. */
export class RestoreFile {
  constructor(private readonly files: FileRepository) {}

  async execute(input: { caller: Caller; fileId: string }): Promise<StoredFile> {
    const file = await accessibleFile(this.files, input.caller, input.fileId, 'trashed');
    const restored = await this.files.restore(file.id, [{ action: 'file.restore', targetType: 'file', targetId: file.id, outcome: 'success', details: { owner: file.userId } }]);
    if (!restored) throw new FileNotFound('File not found in the trash', { file_id: input.fileId });
    return restored;
  }
}
