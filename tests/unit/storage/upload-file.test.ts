import { randomUUID } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { InMemoryFileRepository } from '../../../src/adapters/in-memory/fakes/in-memory-file-repository';
import { InMemoryObjectStore } from '../../../src/adapters/in-memory/fakes/in-memory-object-store';
import { FileTypeSniffer } from '../../../src/adapters/media/file-type-sniffer';
import type { MetadataExtractor } from '../../../src/application/ports/metadata-extractor.port';
import { CreateStoredFile, type BackupReplication } from '../../../src/application/storage/uploads/create-stored-file';
import { UploadFile, type UploadFileInput } from '../../../src/application/storage/uploads/upload-file';
import { aPng, someText } from '../../support/media-fixtures';
import { md5 } from '../../support/storage-world';
import { RecordingLogger } from '../../support/recording-logger';
import { InlineContentHasher } from '../../../src/adapters/hashing/inline-content-hasher';

/** UploadFile and CreateStoredFile over the in-memory store and repository. */
function aWorld(options: { extractor?: MetadataExtractor; replication?: BackupReplication } = {}) {
  const store = new InMemoryObjectStore('memory');
  const files = new InMemoryFileRepository();
  const logger = new RecordingLogger();
  const extractor: MetadataExtractor = options.extractor ?? { extract: async () => [{ type: 'dimensions', data: { width: 1, height: 1 } }] };
  const create = new CreateStoredFile(store, files, new FileTypeSniffer(), extractor, { now: () => new Date() }, logger, {
    maxFileSizeBytes: 10_000,
    allowedMimeTypes: ['text/plain', 'image/png'],
    quotaBytes: { user: 20_000, premium: null, admin: null },
  }, options.replication ?? null);
  const upload = new UploadFile(store, create, 10_000, logger, new InlineContentHasher());
  const owner = { userId: randomUUID(), role: 'user' as const };
  const input = (body: Readable, extra: Partial<UploadFileInput> = {}): UploadFileInput => ({
    owner,
    fileName: 'notes.txt',
    declaredMimeType: 'text/plain',
    expectedMd5: null,
    body,
    details: { projectId: null, isPublic: false, metadata: {} },
    ...extra,
  });
  const leftovers = async () => ({ rows: (await files.list({ userId: owner.userId, sort: 'created_at', order: 'desc', page: 1, limit: 100 })).total });
  return { store, files, logger, upload, owner, input, leftovers };
}

describe('UploadFile', () => {
  it('stores the bytes and the row, with the extracted metadata', async () => {
    const w = aWorld();
    const content = someText(500);
    const { file } = await w.upload.execute(w.input(Readable.from([content]), { expectedMd5: md5(content) }));
    expect(file).toMatchObject({ sizeBytes: 500, checksumMd5: md5(content), mimeType: 'text/plain', storageProvider: 'memory' });
    expect(await w.store.head(file.filePath)).toMatchObject({ size: 500 });
    expect(await w.files.metadataOf(file.id)).toEqual([{ type: 'dimensions', data: { width: 1, height: 1 } }]);
  });

  it.each([
    ['an md5 mismatch', (w: ReturnType<typeof aWorld>) => w.input(Readable.from([someText()]), { expectedMd5: md5(Buffer.from('x')) }), 'CHECKSUM_MISMATCH'],
    ['a spoofed type', (w: ReturnType<typeof aWorld>) => w.input(Readable.from([someText()]), { declaredMimeType: 'image/png' }), 'INVALID_FILE_TYPE'],
    ['a type not allowed', (w: ReturnType<typeof aWorld>) => w.input(Readable.from([Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1')]), { declaredMimeType: null }), 'INVALID_FILE_TYPE'],
    ['a file over the maximum', (w: ReturnType<typeof aWorld>) => w.input(Readable.from([someText(10_001)])), 'FILE_TOO_LARGE'],
  ])('refuses %s and deletes the object it had written', async (_name, make, code) => {
    const w = aWorld();
    const deleted: string[] = [];
    const del = w.store.delete.bind(w.store);
    w.store.delete = async (key) => {
      deleted.push(key);
      await del(key);
    };
    await expect(w.upload.execute(make(w))).rejects.toMatchObject({ code });
    expect(deleted).toHaveLength(1);
    expect(await w.store.head(deleted[0]!)).toBeNull();
    expect((await w.leftovers()).rows).toBe(0);
  });

  it('refuses a second copy of the same content with the first file\'s id', async () => {
    const w = aWorld();
    const content = someText();
    const first = await w.upload.execute(w.input(Readable.from([content])));
    await expect(w.upload.execute(w.input(Readable.from([content])))).rejects.toMatchObject({ code: 'DUPLICATE_FILE', details: { existing_file_id: first.file.id } });
  });

  it('fills the quota exactly, then refuses one byte more with what remains', async () => {
    const w = aWorld();
    await w.upload.execute(w.input(Readable.from([someText(10_000)])));
    await w.upload.execute(w.input(Readable.from([someText(9_999)])));
    await expect(w.upload.execute(w.input(Readable.from([someText(2)])))).rejects.toMatchObject({ code: 'QUOTA_EXCEEDED', details: { user_quota_remaining: 1 } });
    await w.upload.execute(w.input(Readable.from([someText(1)])));
  });

  it('keeps nothing when the body fails midway (the client went away)', async () => {
    const w = aWorld();
    const body = new PassThrough();
    const pending = w.upload.execute(w.input(body));
    body.write(someText(1_000));
    setImmediate(() => body.destroy(new Error('client gone')));
    await expect(pending).rejects.toThrow('client gone');
    expect((await w.leftovers()).rows).toBe(0);
  });

  it('answers 503 STORAGE_BACKEND_ERROR when the provider is down', async () => {
    const w = aWorld();
    w.store.setAvailable(false);
    await expect(w.upload.execute(w.input(Readable.from([someText()])))).rejects.toMatchObject({ code: 'STORAGE_BACKEND_ERROR' });
    w.store.setAvailable(true);
    expect((await w.leftovers()).rows).toBe(0);
  });

  it('stores the file without metadata when extraction fails, and logs why', async () => {
    const w = aWorld({ extractor: { extract: async () => Promise.reject(new Error('corrupt header')) } });
    const { file } = await w.upload.execute(w.input(Readable.from([aPng(2, 2)]), { fileName: 'a.png', declaredMimeType: 'image/png' }));
    expect(await w.files.metadataOf(file.id)).toEqual([]);
    expect(w.logger.entries).toEqual([expect.objectContaining({ level: 'warn', msg: expect.stringContaining('metadata extraction failed') })]);
  });

  it('starts the backup copy of a stored file, recorded pending', async () => {
    const started: string[] = [];
    const w = aWorld({ replication: { enabled: true, execute: (f) => started.push(f.id) } });
    const { file } = await w.upload.execute(w.input(Readable.from([someText()])));
    expect(started).toEqual([file.id]);
    expect(file.backup.state).toBe('pending');
  });
});
