import { randomUUID } from 'node:crypto';
import { PgObjectReferences } from '../../src/adapters/postgres/pg-object-references';
import { objectReferencesContract } from '../contract/object-references.contract';
import { migratedScratchDatabase } from '../support/migrated-scratch-database';

jest.setTimeout(30_000);

objectReferencesContract('PgObjectReferences', async () => {
  const scratch = await migratedScratchDatabase();
  const run = <T>(text: string, values: unknown[]) => scratch.db.withClient((c) => c.query(text, values)).then(() => undefined as T);
  const aFileRow = async (key: string, trashed: boolean): Promise<string> => {
    const user = randomUUID();
    await run(`INSERT INTO users (id, email, password_hash) VALUES ($1, $2, 'x')`, [user, `${user}@example.com`]);
    const { rows } = await scratch.db.withClient((c) =>
      c.query<{ id: string }>(
        `INSERT INTO files (user_id, original_name, file_path, file_type, mime_type, size_bytes, checksum_md5, checksum_sha256, deleted_at)
         VALUES ($1, 'a.txt', $2, 'document', 'text/plain', 3, $3, $4, $5) RETURNING id::text AS id`,
        [user, key, '0'.repeat(32), '0'.repeat(64), trashed ? new Date() : null],
      ),
    );
    return rows[0]!.id;
  };
  return {
    references: new PgObjectReferences(scratch.db),
    fileAt: async (key, options) => void (await aFileRow(key, options?.trashed === true)),
    renditionAt: async (key) => {
      const fileId = await aFileRow(`${key}.source`, false);
      await run(
        `INSERT INTO file_renditions (file_id, rendition_key, parameters, format, object_key, size_bytes, width, height)
         VALUES ($1, $2, 'w=40', 'webp', $3, 10, 40, 30)`,
        [fileId, 'a'.repeat(64), key],
      );
    },
    backupAt: async (key) =>
      run(`INSERT INTO db_backups (id, kind, status, storage_provider, storage_key, encrypted) VALUES ($1, 'manual', 'completed', 'local_disk', $2, true)`, [randomUUID(), key]),
    session: async (uploadId, objectKey, expiresAt) =>
      run(
        `INSERT INTO upload_sessions (id, user_id, file_id, object_key, provider_upload_id, filename, size_bytes, mime_type, chunk_size, total_chunks, expires_at)
         VALUES ($1, $2, $3, $4, $5, 'v.mp4', 10, 'video/mp4', 5, 2, $6)`,
        [randomUUID(), randomUUID(), randomUUID(), objectKey, uploadId, expiresAt],
      ),
    close: () => scratch.close(),
  };
});
