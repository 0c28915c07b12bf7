import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { ObjectUrlSigner } from '../../src/application/ports/object-store.port';
import { DownloadFile } from '../../src/application/storage/delivery/download-file';
import { DownloadSignature } from '../../src/application/storage/delivery/download-signature';
import { OpenSignedDownload } from '../../src/application/storage/delivery/open-signed-download';
import { readableFile } from '../../src/application/storage/delivery/readable-file';
import { StreamFile } from '../../src/application/storage/delivery/stream-file';
import { storageDownloadRoutes } from '../../src/adapters/http/routes/storage-download.routes';
import { storageStreamRoutes } from '../../src/adapters/http/routes/storage-stream.routes';
import { LocalDiskObjectStore } from '../../src/adapters/object-store/local-disk-object-store';
import { PgFileRepository } from '../../src/adapters/postgres/pg-file-repository';
import type { PgSqlDatabase } from '../../src/adapters/postgres/pg-sql-database';
import type { StoredFile } from '../../src/domain/storage/stored-file';
import { TOKENS } from '../../src/infrastructure/tokens';
import { FakeClock } from './fake-clock';
import { buildRouteTestApp } from './route-test-app';

export const SIGNING_SECRET = 'storage-signing-secret-for-tests-0123456789';

/**
 * The download and stream routes over the real files table and a disk store in a temp folder, with a
 * clock the test moves (signed URL expiry). `signer` stands in for a provider that signs its own URLs.
 */
export async function storageDeliveryWorld(options: { signer?: ObjectUrlSigner } = {}) {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'vb-delivery-'));
  const store = new LocalDiskObjectStore(root);
  await store.ensureReady();
  const clock = new FakeClock(new Date());
  let files!: PgFileRepository;
  const signature = new DownloadSignature(SIGNING_SECRET);
  const app = await buildRouteTestApp(
    (routes, container) => {
      files = new PgFileRepository(container.get<PgSqlDatabase>(TOKENS.SqlDatabase));
      const stream = new StreamFile(store);
      storageStreamRoutes(routes, { stream, readable: (id, caller) => readableFile(files, id, caller) });
      storageDownloadRoutes(routes, {
        download: new DownloadFile(files, options.signer ?? null, signature, clock, 3600),
        openSigned: new OpenSignedDownload(files, signature, clock),
        stream,
      });
    },
    { migrate: true },
  );
  return {
    ...app,
    clock,
    store,
    /** Stores `content` under the file's key and inserts its row. */
    async stored(file: StoredFile, content: Buffer = randomBytes(file.sizeBytes)): Promise<{ file: StoredFile; content: Buffer }> {
      const row = { ...file, sizeBytes: content.length };
      await store.put(row.filePath, Readable.from([content]), { contentType: row.mimeType });
      const outcome = await files.insertWithinQuota(row, Number.MAX_SAFE_INTEGER, []);
      if (!outcome.inserted) throw new Error('fixture file not inserted');
      return { file: row, content };
    },
    async close() {
      await app.close();
      await fs.rm(root, { recursive: true, force: true });
    },
  };
}
