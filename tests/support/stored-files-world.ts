import { Readable } from 'node:stream';
import { InMemoryFileRepository } from '../../src/adapters/in-memory/fakes/in-memory-file-repository';
import { InMemoryObjectStore } from '../../src/adapters/in-memory/fakes/in-memory-object-store';
import type { FileChangeListener } from '../../src/application/storage/files/file-change-listener';
import { RemoveStoredFile } from '../../src/application/storage/files/remove-stored-file';
import type { StoredFile } from '../../src/domain/storage/stored-file';
import type { FileBuilder } from './file-builder';
import { FakeClock } from './fake-clock';
import { RecordingLogger } from './recording-logger';

/**
 * The files use cases' world over the in-memory fakes: a repository, an object store, a clock, and a
 * listener that records the changes it is told of (with whether the row still existed then).
 */
export function storedFilesWorld() {
  const files = new InMemoryFileRepository();
  const store = new InMemoryObjectStore('memory');
  const clock = new FakeClock();
  const logger = new RecordingLogger();
  const remove = new RemoveStoredFile(files, store, null, logger);
  const changes: Array<{ fileId: string; change: 'file_updated' | 'file_deleted'; rowExisted: boolean }> = [];
  const changed: FileChangeListener = async (file, change) => {
    changes.push({ fileId: file.id, change, rowExisted: (await files.findById(file.id)) !== null });
  };

  /** The file's row, and an object at its key. */
  async function stored(builder: FileBuilder): Promise<StoredFile> {
    const file = builder.build();
    await files.insertWithinQuota(file, Number.MAX_SAFE_INTEGER, []);
    await store.put(file.filePath, Readable.from([Buffer.from(`bytes of ${file.id}`)]), { contentType: file.mimeType });
    return file;
  }

  /** A stored file already in the trash since `at`. */
  async function trashed(builder: FileBuilder, at: Date = clock.now()): Promise<StoredFile> {
    const file = await stored(builder);
    return (await files.softDelete(file.id, at))!;
  }

  const hasObject = async (file: StoredFile) => (await store.head(file.filePath)) !== null;

  return { files, store, clock, logger, remove, changes, changed, stored, trashed, hasObject };
}
