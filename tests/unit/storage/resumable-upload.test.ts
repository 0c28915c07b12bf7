import { createHash, randomUUID } from 'node:crypto';
import { InMemoryObjectStore } from '../../../src/adapters/in-memory/fakes/in-memory-object-store';
import { InMemoryUploadSessionRepository } from '../../../src/adapters/in-memory/fakes/in-memory-upload-session-repository';
import { CleanExpiredUploads } from '../../../src/application/storage/uploads/clean-expired-uploads';
import { CompleteResumableUpload, type FileCreation } from '../../../src/application/storage/uploads/complete-resumable-upload';
import { InitResumableUpload } from '../../../src/application/storage/uploads/init-resumable-upload';
import { UploadChunk } from '../../../src/application/storage/uploads/upload-chunk';
import type { StoredFile } from '../../../src/domain/storage/stored-file';
import { aCaller } from '../../support/caller-builder';
import { FakeClock } from '../../support/fake-clock';
import { aFile } from '../../support/file-builder';
import { RecordingLogger } from '../../support/recording-logger';
import { HashWasmResumableHasher } from '../../../src/adapters/hashing/hash-wasm-resumable-hasher';

const CHUNK = 256 * 1024;
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

function world() {
  const clock = new FakeClock();
  const store = new InMemoryObjectStore();
  const sessions = new InMemoryUploadSessionRepository();
  const created: Array<{ sha256: string; size: number }> = [];
  const creation: FileCreation = {
    execute: async (request, staged): Promise<StoredFile> => {
      created.push({ sha256: staged.checksumSha256, size: staged.sizeBytes });
      return { ...aFile().build(), id: request.fileId, filePath: staged.key, sizeBytes: staged.sizeBytes };
    },
  };
  const logger = new RecordingLogger();
  const hasher = new HashWasmResumableHasher();
  const complete = new CompleteResumableUpload(sessions, store, store, creation, logger, hasher);
  return {
    clock,
    store,
    sessions,
    created,
    init: new InitResumableUpload(sessions, store, clock, { maxFileSizeBytes: 10 * CHUNK, sessionTtlSeconds: 60 }),
    chunk: new UploadChunk(sessions, store, hasher, complete, clock),
    clean: new CleanExpiredUploads(sessions, store, clock, logger),
  };
}

describe('resumable upload use cases (in-memory adapters)', () => {
  const caller = aCaller().withId(randomUUID()).build();
  const content = Buffer.alloc(2 * CHUNK + 5, 7);
  const start = (w: ReturnType<typeof world>) =>
    w.init.execute({ caller, filename: 'a.pdf', fileSize: content.length, mimeType: 'application/pdf', chunkSize: CHUNK, projectId: null, metadata: {}, checksumMd5: null });
  const piece = (i: number) => content.subarray(i * CHUNK, (i + 1) * CHUNK);

  it('init refuses a file over MAX_FILE_SIZE before any byte', async () => {
    const w = world();
    await expect(
      w.init.execute({ caller, filename: 'a', fileSize: 10 * CHUNK + 1, mimeType: 'x/y', projectId: null, metadata: {}, checksumMd5: null }),
    ).rejects.toMatchObject({ code: 'FILE_TOO_LARGE' });
  });

  it('a provider down while staging a chunk is STORAGE_BACKEND_ERROR and records nothing', async () => {
    const w = world();
    const session = await start(w);
    w.store.setAvailable(false);
    await expect(w.chunk.execute({ caller, sessionId: session.id, index: 0, body: piece(0), checksumMd5: md5(piece(0)) })).rejects.toMatchObject({
      code: 'STORAGE_BACKEND_ERROR',
    });
    expect((await w.sessions.findById(session.id))?.chunks).toEqual({});
  });

  it('a provider down while assembling leaves the session uploading; re-sending the last chunk completes it', async () => {
    const w = world();
    const session = await start(w);
    await w.chunk.execute({ caller, sessionId: session.id, index: 0, body: piece(0), checksumMd5: null });
    await w.chunk.execute({ caller, sessionId: session.id, index: 2, body: piece(2), checksumMd5: null });
    const complete = w.store.complete.bind(w.store);
    w.store.complete = async () => {
      throw Object.assign(new Error('down'), { code: 'STORAGE_BACKEND_ERROR' });
    };
    await expect(w.chunk.execute({ caller, sessionId: session.id, index: 1, body: piece(1), checksumMd5: null })).rejects.toThrow('down');
    expect((await w.sessions.findById(session.id))?.status).toBe('uploading');
    w.store.complete = complete;
    const result = await w.chunk.execute({ caller, sessionId: session.id, index: 1, body: piece(1), checksumMd5: null });
    expect(result.file?.id).toBe(session.fileId);
    expect(w.created).toEqual([{ sha256: createHash('sha256').update(content).digest('hex'), size: content.length }]);
  });

  it('a late duplicate of a chunk after completion is answered, not re-staged; another chunk body is a conflict', async () => {
    const w = world();
    const session = await start(w);
    for (const i of [0, 1, 2]) await w.chunk.execute({ caller, sessionId: session.id, index: i, body: piece(i), checksumMd5: null });
    const again = await w.chunk.execute({ caller, sessionId: session.id, index: 0, body: piece(0), checksumMd5: null });
    expect(again).toMatchObject({ file: null, session: { status: 'completed' } });
    await expect(w.chunk.execute({ caller, sessionId: session.id, index: 0, body: Buffer.alloc(CHUNK, 1), checksumMd5: null })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(w.created).toHaveLength(1);
  });

  it('the cleanup aborts expired sessions and marks them expired; later chunks are 410', async () => {
    const w = world();
    const session = await start(w);
    await w.chunk.execute({ caller, sessionId: session.id, index: 0, body: piece(0), checksumMd5: null });
    expect(await w.clean.execute()).toBe(0);
    w.clock.advance(61_000);
    expect(await w.clean.execute()).toBe(1);
    expect((await w.sessions.findById(session.id))?.status).toBe('expired');
    await expect(w.store.complete(session.key, session.uploadId, 1, 'application/pdf')).rejects.toBeDefined();
    await expect(w.chunk.execute({ caller, sessionId: session.id, index: 1, body: piece(1), checksumMd5: null })).rejects.toMatchObject({
      code: 'UPLOAD_SESSION_EXPIRED',
    });
  });
});
