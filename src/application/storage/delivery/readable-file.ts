import type { Caller } from '../../../domain/auth/caller';
import { canRead } from '../../../domain/auth/ownership';
import { Unauthenticated } from '../../../domain/shared/errors';
import { FileNotFound } from '../../../domain/storage/errors';
import type { StoredFile } from '../../../domain/storage/stored-file';
import type { FileRepository } from '../../ports/file-repository.port';

/**
 * The file if this caller may read it: public files to anyone, others to their owner and admins.
 * Someone else's file is indistinguishable from a missing one (404); without a token, anything not
 * public asks for one (401), whether it exists or not.
 */
export async function readableFile(files: FileRepository, fileId: string, caller: Caller | undefined): Promise<StoredFile> {
  const file = await files.findById(fileId);
  const live = file && !file.deletedAt ? file : null;
  if (live && canRead(caller, live)) return live;
  if (!caller) throw new Unauthenticated('This file needs a bearer token', { reason: 'missing_token' });
  throw new FileNotFound('File not found', { file_id: fileId });
}
