import type { Caller } from '../../../domain/auth/caller';
import { FileNotFound } from '../../../domain/storage/errors';
import { recoveryDeadline, type StoredFile } from '../../../domain/storage/stored-file';
import type { Clock } from '../../ports/clock.port';
import type { FileRepository } from '../../ports/file-repository.port';
import { accessibleFile } from './accessible-file';
import { ignoreFileChanges, type FileChangeListener } from './file-change-listener';
import type { RemoveStoredFile } from './remove-stored-file';

export interface DeletionResult {
  file: StoredFile;
  permanent: boolean;
  recoveryDeadline: Date | null;
  /** Trash still counts against the quota, so only a permanent deletion frees bytes. */
  freedBytes: number;
}

/** Soft: into the trash for 30 days (a live file only). Permanent: a live or trashed file, objects and row. */
export class DeleteFile {
  constructor(
    private readonly files: FileRepository,
    private readonly remove: RemoveStoredFile,
    private readonly clock: Clock,
    private readonly changed: FileChangeListener = ignoreFileChanges,
  ) {}

  async execute(input: { caller: Caller; fileId: string; permanent: boolean }): Promise<DeletionResult> {
    const file = await accessibleFile(this.files, input.caller, input.fileId, input.permanent ? 'any' : 'live');
    if (input.permanent) {
      // Before the rows go: the purge reads the file's derived outputs from its transformations.
      await this.changed(file, 'file_deleted');
      await this.remove.execute(file, [
        { action: 'file.delete_permanent', targetType: 'file', targetId: file.id, outcome: 'success', details: { owner: file.userId, storage_freed_bytes: file.sizeBytes } },
      ]);
      return { file, permanent: true, recoveryDeadline: null, freedBytes: file.sizeBytes };
    }
    const trashed = await this.files.softDelete(file.id, this.clock.now(), [
      { action: 'file.trash', targetType: 'file', targetId: file.id, outcome: 'success', details: { owner: file.userId, storage_freed_bytes: 0 } },
    ]);
    if (!trashed) throw new FileNotFound('File not found', { file_id: input.fileId });
    await this.changed(trashed, 'file_deleted');
    return { file: trashed, permanent: false, recoveryDeadline: recoveryDeadline(trashed), freedBytes: 0 };
  }
}
