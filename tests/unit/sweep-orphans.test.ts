import { Readable } from 'node:stream';
import { InMemoryObjectReferences } from '../../src/adapters/in-memory/fakes/in-memory-object-references';
import { InMemoryObjectStore } from '../../src/adapters/in-memory/fakes/in-memory-object-store';
import { SweepOrphans, type OrphanKind } from '../../src/application/storage/sweep/sweep-orphans';
import { capturingLogger } from '../support/capturing-logger';
import { FakeClock } from '../support/fake-clock';

const HOUR = 3_600_000;
const put = (store: InMemoryObjectStore, key: string, bytes = 10) => store.put(key, Readable.from([Buffer.alloc(bytes)]), { contentType: 'application/octet-stream' });
async function* once(bytes: Buffer): AsyncGenerator<Buffer> {
  yield bytes;
}

function world() {
  const store = new InMemoryObjectStore();
  const references = new InMemoryObjectReferences();
  const clock = new FakeClock(new Date());
  const log = capturingLogger();
  const removed: Array<[OrphanKind, number, number]> = [];
  const sweep = new SweepOrphans([{ role: 'primary', store, objects: store, leftovers: store }], references, clock, log.logger, { graceMs: HOUR }, { removed: (kind, count, bytes) => removed.push([kind, count, bytes]) });
  return { store, references, clock, log, removed, sweep };
}

describe('SweepOrphans', () => {
  it('removes only what nothing refers to and is older than the grace, counted by kind', async () => {
    const w = world();
    await put(w.store, 'users/u/projects/none/referenced_1.txt');
    await put(w.store, 'users/u/projects/none/derived-without-row_2.png', 40);
    await put(w.store, 'backups/db/b1.pgdump.vbk');
    w.references.refer('users/u/projects/none/referenced_1.txt', 'backups/db/b1.pgdump.vbk');
    const live = await w.store.begin('users/u/projects/none/live_3.bin', 'application/octet-stream', { sizeBytes: 8, partSize: 8 });
    await w.store.write('users/u/projects/none/live_3.bin', live.uploadId, 0, once(Buffer.alloc(4)));
    const gone = await w.store.begin('users/u/projects/none/gone_4.bin', 'application/octet-stream', { sizeBytes: 8, partSize: 8 });
    await w.store.write('users/u/projects/none/gone_4.bin', gone.uploadId, 0, once(Buffer.alloc(6)));
    w.references.upload(live.uploadId, new Date(w.clock.now().getTime() + 48 * HOUR));

    // Younger than the grace: nothing goes, whatever refers to it.
    expect(await w.sweep.execute()).toEqual({ scanned: 5, removed: { object: 0, partial_write: 0, staged_upload: 0 }, bytesRemoved: { object: 0, partial_write: 0, staged_upload: 0 }, failed: 0 });

    w.clock.advance(2 * HOUR);
    const report = await w.sweep.execute();
    expect(report).toEqual({ scanned: 5, removed: { object: 1, partial_write: 0, staged_upload: 1 }, bytesRemoved: { object: 40, partial_write: 0, staged_upload: 6 }, failed: 0 });
    expect(w.store.keys().sort()).toEqual(['backups/db/b1.pgdump.vbk', 'users/u/projects/none/referenced_1.txt']);
    expect(w.store.stagedUploadIds()).toEqual([live.uploadId]);
    expect(w.removed.sort()).toEqual([
      ['object', 1, 40],
      ['staged_upload', 1, 6],
    ]);
    const summary = w.log.lines().filter((l) => l.msg === 'orphan sweep');
    expect(summary.at(-1)).toMatchObject({ scanned: 5, removed: { object: 1, staged_upload: 1 }, bytes_removed: { object: 40, staged_upload: 6 } });
    expect(w.log.lines().filter((l) => l.msg === 'orphan removed').map((l) => l.kind).sort()).toEqual(['object', 'staged_upload']);
  });

  it('treats the staging of an expired session as an orphan', async () => {
    const w = world();
    const { uploadId } = await w.store.begin('users/u/projects/none/expired_1.bin', 'application/octet-stream', { sizeBytes: 8, partSize: 8 });
    w.references.upload(uploadId, new Date(w.clock.now().getTime() + HOUR));
    w.clock.advance(2 * HOUR);
    await expect(w.sweep.execute()).resolves.toMatchObject({ removed: { staged_upload: 1 } });
    expect(w.store.stagedUploadIds()).toEqual([]);
  });

  it('removes nothing from a store that fails, and says so', async () => {
    const w = world();
    await put(w.store, 'users/u/projects/none/orphan_1.txt');
    w.clock.advance(2 * HOUR);
    w.store.setAvailable(false);
    await expect(w.sweep.execute()).resolves.toMatchObject({ removed: { object: 0 }, failed: 1 });
    w.store.setAvailable(true);
    expect(w.store.keys()).toEqual(['users/u/projects/none/orphan_1.txt']);
  });

  it('keeps everything when the database cannot say what is referenced', async () => {
    const w = world();
    await put(w.store, 'users/u/projects/none/maybe_1.txt');
    w.clock.advance(2 * HOUR);
    w.references.referenced = async () => {
      throw new Error('database down');
    };
    await expect(w.sweep.execute()).resolves.toMatchObject({ removed: { object: 0 }, failed: 1 });
    expect(w.store.keys()).toEqual(['users/u/projects/none/maybe_1.txt']);
  });
});
