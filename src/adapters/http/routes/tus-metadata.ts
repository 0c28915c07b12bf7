import { ValidationFailed } from '../../../domain/shared/errors';
import { isUuid } from '../../../domain/shared/uuid';
import { unstorableText } from '../storable-input';

/** Upload-Metadata (`key base64,key base64`) read into what a resumable session needs; Uppy's name/type too. */
export function parseTusMetadata(header: string | undefined) {
  const pairs = new Map<string, string>();
  for (const item of (header ?? '').split(',')) {
    const [key, value] = item.trim().split(/\s+/);
    if (!key) continue;
    const decoded = value ? Buffer.from(value, 'base64').toString('utf8') : '';
    // Decoding as UTF-8 replaces invalid bytes, but keeps a NUL, which PostgreSQL text refuses.
    const problem = unstorableText(decoded);
    if (problem) throw new ValidationFailed(`Upload-Metadata ${key} ${problem}`, [{ path: `headers.upload-metadata.${key}`, message: problem }]);
    pairs.set(key, decoded);
  }
  const filename = pairs.get('filename') || pairs.get('name') || '';
  if (!filename) throw new ValidationFailed('Upload-Metadata needs a filename', [{ path: 'headers.upload-metadata', message: 'expected filename' }]);
  const projectId = pairs.get('project_id') || null;
  if (projectId && !isUuid(projectId)) {
    throw new ValidationFailed('project_id must be a UUID', [{ path: 'headers.upload-metadata.project_id', message: 'expected a UUID' }]);
  }
  const metadata: Record<string, unknown> = {};
  if (pairs.get('is_public') === 'true') metadata.is_public = true;
  if (pairs.get('description')) metadata.description = pairs.get('description');
  return {
    filename: filename.slice(0, 255),
    mimeType: (pairs.get('filetype') || pairs.get('type') || 'application/octet-stream').slice(0, 100),
    projectId,
    metadata,
  };
}
