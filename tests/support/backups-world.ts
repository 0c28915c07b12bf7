import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Express } from 'express';
import { Client } from 'pg';
import request from 'supertest';
import type { ObjectStore } from '../../src/application/ports/object-store.port';
import type { Overrides } from '../../src/infrastructure/binder';
import { TOKENS } from '../../src/infrastructure/tokens';
import { migratedScratchDatabase, type MigratedScratchDatabase } from './migrated-scratch-database';
import { storageApp } from './storage-world';
import { bearer } from './tokens';

export const run = promisify(execFile);

export type BackupsWorld = Awaited<ReturnType<typeof storageApp>> & {
  scratch: MigratedScratchDatabase;
  sql: Client;
  dataDir: string;
  archives: ObjectStore;
  close(): Promise<void>;
};

/**
 * The wired app over a database of its own (pg_dump reads all of it, and the one-backup-at-a-time
 * rule is per database), its files on a temporary disk, a backup worker running.
 */
export async function backupsWorld(env: Record<string, string> = {}, overrides: Overrides = {}): Promise<BackupsWorld> {
  const scratch = await migratedScratchDatabase();
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'vb-backups-'));
  const world = await storageApp(
    { DATABASE_URL: scratch.url, DATA_DIR: dataDir, BACKUP_WORKERS: '1', BACKUP_PROGRESS_INTERVAL_MS: '100', ...env },
    undefined,
    overrides,
  );
  const sql = new Client({ connectionString: scratch.url });
  await sql.connect();
  return {
    ...world,
    scratch,
    sql,
    dataDir,
    archives: world.container.get<ObjectStore>(TOKENS.BackupArchiveStore),
    close: async () => {
      await world.cleanup();
      await sql.end();
      await scratch.close();
      await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Polls the backup until it leaves queued/running (bounded by the test's timeout). */
export async function finished(app: Express, token: string, id: string): Promise<Record<string, any>> {
  for (;;) {
    const res = await request(app).get(`/api/v1/db/backups/${id}`).set(bearer(token)).expect(200);
    if (res.body.status === 'completed' || res.body.status === 'failed') return res.body;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function bytesOf(store: ObjectStore, key: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await store.get(key)) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}
