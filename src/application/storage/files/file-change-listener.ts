import type { StoredFile } from '../../../domain/storage/stored-file';

/**
 * Told when a file's served form changes (update) or it stops being served (deletion), e.g. to purge
 * its CDN URLs. Called before a permanent removal, while the file's rows still exist. Must not throw.
 */
export type FileChangeListener = (file: StoredFile, change: 'file_updated' | 'file_deleted') => Promise<void>;

export const ignoreFileChanges: FileChangeListener = async () => undefined;
