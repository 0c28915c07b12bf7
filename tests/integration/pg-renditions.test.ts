import { randomUUID } from 'node:crypto';
import { PgProductionLocks, PgRenditionRepository } from '../../src/adapters/postgres/pg-rendition-repository';
import { renditionRepositoryContract } from '../contract/rendition-repository.contract';
import { migratedScratchDatabase } from '../support/migrated-scratch-database';

jest.setTimeout(30_000);

renditionRepositoryContract('PgRenditionRepository + PgProductionLocks', async () => {
  const scratch = await migratedScratchDatabase();
  return {
    renditions: new PgRenditionRepository(scratch.db),
    locks: new PgProductionLocks(scratch.db),
    aFile: async () => {
      const user = randomUUID();
      return scratch.db.withClient(async (c) => {
        await c.query(`INSERT INTO users (id, email, password_hash) VALUES ($1, $2, 'x')`, [user, `${user}@example.com`]);
        const { rows } = await c.query<{ id: string }>(
          `INSERT INTO files (user_id, original_name, file_path, file_type, mime_type, size_bytes, checksum_md5, checksum_sha256)
           VALUES ($1, 'a.png', $2, 'image', 'image/png', 3, $3, $4) RETURNING id::text AS id`,
          [user, `${user}/a.png`, '0'.repeat(32), '0'.repeat(64)],
        );
        return rows[0]!.id;
      });
    },
    close: () => scratch.close(),
  };
});
