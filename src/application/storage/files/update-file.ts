import type { Caller } from '../../../domain/auth/caller';
import { FileNotFound } from '../../../domain/storage/errors';
import { displayFileName } from '../../../domain/storage/file-path';
import type { StoredFile } from '../../../domain/storage/stored-file';
import type { FileRepository } from '../../ports/file-repository.port';
import { accessibleFile } from './accessible-file';
import { ignoreFileChanges, type FileChangeListener } from './file-change-listener';

export interface UpdateFileInput {
  caller: Caller;
  fileId: string;
  originalName?: string;
  isPublic?: boolean;
  /** Merged over the stored description, tags, custom_fields: a key sent replaces that key only. */
  metadata?: Record<string, unknown>;
}

/** Renames only the label (cleaned as at upload): the object key keeps its name, so nothing moves at the provider. */
export class UpdateFile {
  constructor(
    private readonly files: FileRepository,
    private readonly changed: FileChangeListener = ignoreFileChanges,
  ) {}

  async execute(input: UpdateFileInput): Promise<StoredFile> {
    const file = await accessibleFile(this.files, input.caller, input.fileId);
    // Which fields changed (as the API names them), never their values.
    const fields = [
      ...(input.originalName !== undefined ? ['original_name'] : []),
      ...(input.isPublic !== undefined ? ['is_public'] : []),
      ...(input.metadata !== undefined ? ['metadata'] : []),
    ];
    const updated = await this.files.update(
      file.id,
      {
        ...(input.originalName !== undefined ? { originalName: displayFileName(input.originalName) } : {}),
        ...(input.isPublic !== undefined ? { isPublic: input.isPublic } : {}),
        ...(input.metadata !== undefined ? { metadata: { ...file.metadata, ...input.metadata } } : {}),
      },
      [{ action: 'file.update', targetType: 'file', targetId: file.id, outcome: 'success', details: { owner: file.userId, fields } }],
    );
    if (!updated) throw new FileNotFound('File not found', { file_id: input.fileId });
    await this.changed(updated, 'file_updated');
    return updated;
  }
}
