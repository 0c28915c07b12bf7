import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PgBackupRepository } from '../../src/adapters/postgres/pg-backup-repository';
import { PgDumpDatabaseDumper } from '../../src/adapters/postgres/pg-dump-database-dumper';
import { checkTools, majorOf } from '../../src/adapters/postgres/pg-dump-tools';
import { databaseDumperContract } from '../contract/database-dumper.contract';
import { aNewBackup } from '../contract/backup-repository.contract';
import { migratedScratchDatabase } from '../support/migrated-scratch-database';

jest.setTimeout(30_000);

databaseDumperContract('PgDumpDatabaseDumper', async () => {
  const scratch = await migratedScratchDatabase();
  const repo = new PgBackupRepository(scratch.db);
  const query = (text: string, values: unknown[] = []) => scratch.db.withClient((c) => c.query(text, values));
  const user = randomUUID();
  await query(`INSERT INTO users (id, email, password_hash) VALUES ($1, $2, 'x')`, [user, `${user}@example.com`]);
  await query(
    `INSERT INTO files (user_id, original_name, file_path, file_type, mime_type, size_bytes, checksum_md5, checksum_sha256)
     VALUES ($1, 'a.txt', $2, 'document', 'text/plain', 3, $3, $4)`,
    [user, `${user}/a.txt`, '0'.repeat(32), '0'.repeat(64)],
  );
  return {
    dumper: new PgDumpDatabaseDumper({ connectionString: scratch.url, binDir: undefined, applicationName: 'test', lockWaitTimeoutMs: 60_000 }),
    aBackupId: async () => {
      const b = aNewBackup();
      // One active backup at a time: each one the test asks for is already over.
      await repo.create(b);
      await repo.markRunning(b.id, b.progress);
      await repo.fail(b.id, 'test', b.progress);
      return b.id;
    },
    manifestOf: async (id) => Number((await query('SELECT count(*) AS n FROM db_backup_files WHERE backup_id = $1', [id])).rows[0].n),
    filesCount: async () => Number((await query('SELECT count(*) AS n FROM files')).rows[0].n),
    close: () => scratch.close(),
  };
});

describe('pg_dump tools', () => {
  it('reads the major version', () => {
    expect(majorOf('pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)')).toBe(15);
    expect(majorOf('something else')).toBeNull();
  });

  it('refuses a pg_dump older than the server, naming the package', async () => {
    const bin = await fs.mkdtemp(path.join(os.tmpdir(), 'vb-oldbin-'));
    await fs.writeFile(path.join(bin, 'pg_dump'), '#!/bin/sh\necho "pg_dump (PostgreSQL) 14.9"\n', { mode: 0o755 });
    await fs.writeFile(path.join(bin, 'pg_restore'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    const checked = await checkTools(bin, 15);
    expect(checked.status).toMatchObject({ available: false, package: 'postgresql-client-15', foundVersion: 'pg_dump (PostgreSQL) 14.9' });
    expect(checked.paths).toBeNull();
    expect((await checkTools(bin, 14)).status.available).toBe(true);
    await fs.rm(bin, { recursive: true, force: true });
  });
});
