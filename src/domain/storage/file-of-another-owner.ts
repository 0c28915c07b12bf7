import { FileNotFound } from './errors';

/**
 * A file that exists but belongs to someone else: answered exactly like an unknown id (same code,
 * message and details), but the audit trail records the attempt.
 */
export class FileOfAnotherOwner extends FileNotFound {
  constructor(readonly fileId: string) {
    super('File not found', { file_id: fileId });
  }
}
