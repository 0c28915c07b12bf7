import type { Caller } from '../../../domain/auth/caller';
import { canAccess } from '../../../domain/auth/ownership';
import { FileNotFound } from '../../../domain/storage/errors';
import { FileOfAnotherOwner } from '../../../domain/storage/file-of-another-owner';
import type { StoredFile } from '../../../domain/storage/stored-file';
import type { FileRepository } from '../../ports/file-repository.port';

export type FileState = 'live' | 'trashed' | 'any';

/**
 * The file if the caller owns it or is an admin. Anyone else learns nothing, not even that it exists:
 * the same FileNotFound as for an unknown id.
 */
export async function accessibleFile(files: FileRepository, caller: Caller, fileId: string, state: FileState = 'live'): Promise<StoredFile> {
  const file = await files.findById(fileId);
  const visible = file && canAccess(caller, file);
  const inState = file && (state === 'any' || (state === 'live') === (file.deletedAt === null));
  if (file && !visible) throw new FileOfAnotherOwner(fileId);
  if (!file || !inState) throw new FileNotFound('File not found', { file_id: fileId });
  return file;
}
