import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from '../../src/application/ports/logger.port';
import { CleanExpiredUploads } from '../../src/application/storage/uploads/clean-expired-uploads';
import { CompleteResumableUpload } from '../../src/application/storage/uploads/complete-resumable-upload';
import { CdnUrls } from '../../src/application/storage/cdn/cdn-urls';
import { CreateStoredFile } from '../../src/application/storage/uploads/create-stored-file';
import { DownloadSignature } from '../../src/application/storage/delivery/download-signature';
import { GetResumableUpload } from '../../src/application/storage/uploads/get-resumable-upload';
import { InitResumableUpload } from '../../src/application/storage/uploads/init-resumable-upload';
import { UploadChunk } from '../../src/application/storage/uploads/upload-chunk';
import { resumableUploadRoutes } from '../../src/adapters/http/routes/resumable-upload.routes';
import { tusRoutes } from '../../src/adapters/http/routes/tus.routes';
import { TerminateUpload } from '../../src/application/storage/uploads/terminate-upload';
import { TusAppend } from '../../src/application/storage/uploads/tus-append';
import { LocalDiskObjectStore } from '../../src/adapters/object-store/local-disk-object-store';
import { PgFileRepository } from '../../src/adapters/postgres/pg-file-repository';
import type { PgSqlDatabase } from '../../src/adapters/postgres/pg-sql-database';
import { PgUploadSessionRepository } from '../../src/adapters/postgres/pg-upload-session-repository';
import { TOKENS } from '../../src/infrastructure/tokens';
import { FakeClock } from './fake-clock';
import { buildRouteTestApp } from './route-test-app';
import { HashWasmResumableHasher } from '../../src/adapters/hashing/hash-wasm-resumable-hasher';

/** Recognises PDFs only: enough to see completion run the direct upload's type check. */
const pdfSniffer = { sniff: async (head: Buffer) => (head.subarray(0, 5).toString('latin1') === '%PDF-' ? 'application/pdf' : null) };

/**
 * The resumable routes over the real upload_sessions and files tables and a disk store. Two worlds
 * built with the same `root` are two service instances (or one restarted) sharing disk and database.
 */
export async function resumableWorld(options: { root?: string; clock?: FakeClock; sessionTtlSeconds?: number } = {}) {
  const root = options.root ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'vb-resumable-')));
  const store = new LocalDiskObjectStore(root);
  await store.ensureReady();
  const clock = options.clock ?? new FakeClock(new Date());
  let files!: PgFileRepository;
  let sessions!: PgUploadSessionRepository;
  let cleaner!: CleanExpiredUploads;
  const app = await buildRouteTestApp(
    (routes, container) => {
      const db = container.get<PgSqlDatabase>(TOKENS.SqlDatabase);
      const logger = container.get<Logger>(TOKENS.Logger);
      files = new PgFileRepository(db);
      sessions = new PgUploadSessionRepository(db);
      const create = new CreateStoredFile(store, files, pdfSniffer, { extract: async () => [] }, clock, logger, {
        maxFileSizeBytes: 50 * 1024 * 1024,
        allowedMimeTypes: ['application/pdf'],
        quotaBytes: { user: null, premium: null, admin: null },
      });
      const hasher = new HashWasmResumableHasher();
      const complete = new CompleteResumableUpload(sessions, store, store, create, logger, hasher);
      cleaner = new CleanExpiredUploads(sessions, store, clock, logger);
      const init = new InitResumableUpload(sessions, store, clock, { maxFileSizeBytes: 50 * 1024 * 1024, sessionTtlSeconds: options.sessionTtlSeconds ?? 3600 });
      const uploadChunk = new UploadChunk(sessions, store, hasher, complete, clock);
      tusRoutes(routes, {
        create: init,
        append: new TusAppend(sessions, store, hasher, complete, clock),
        terminate: new TerminateUpload(sessions, store, clock),
        maxFileSizeBytes: 50 * 1024 * 1024,
        chunkSize: 256 * 1024,
      });
      resumableUploadRoutes(routes, {
        init,
        uploadChunk,
        status: new GetResumableUpload(sessions, clock),
        clock,
        publicBaseUrl: 'http://storage.test',
        links: { publicBaseUrl: 'http://storage.test', cdn: new CdnUrls({ baseUrl: 'http://cdn.test', signedTtlSeconds: 3600 }, new DownloadSignature('resumable-world-secret'), clock) },
      });
    },
    { migrate: true },
  );
  return {
    ...app,
    root,
    clock,
    store,
    files: () => files,
    sessions: () => sessions,
    cleaner: () => cleaner,
    async dispose(removeRoot = true) {
      await app.close();
      if (removeRoot) await fs.rm(root, { recursive: true, force: true });
    },
  };
}
