import { Readable } from 'node:stream';
import { InMemoryFileRepository } from '../../src/adapters/in-memory/fakes/in-memory-file-repository';
import { InMemoryObjectStore } from '../../src/adapters/in-memory/fakes/in-memory-object-store';
import { InProcessBackgroundTasks } from '../../src/adapters/in-process/in-process-background-tasks';
import { RemoveStoredFile } from '../../src/application/storage/files/remove-stored-file';
import { ReplicateToBackup } from '../../src/application/storage/backup-copies/replicate-to-backup';
import { aFile } from '../support/file-builder';

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

async function world(options: { backup?: boolean } = {}) {
  const primary = new InMemoryObjectStore('azure_blob');
  const backup = options.backup === false ? null : new InMemoryObjectStore('aws_s3');
  const files = new InMemoryFileRepository();
  const tasks = new InProcessBackgroundTasks(silent);
  const waits: number[] = [];
  const replicate = new ReplicateToBackup(primary, backup, files, tasks, silent, { maxAttempts: 3, baseDelayMs: 100 }, async (ms) => {
    waits.push(ms);
  });
  const file = aFile().build();
  await files.insertWithinQuota(file, Number.MAX_SAFE_INTEGER, []);
  await primary.put(file.filePath, Readable.from([Buffer.from('the bytes')]), { contentType: file.mimeType });
  return { primary, backup, files, tasks, waits, replicate, file };
}

async function text(stream: Readable): Promise<string> {
  let out = '';
  for await (const part of stream) out += part.toString();
  return out;
}

describe('ReplicateToBackup', () => {
  it('copies the object in the background and records completed', async () => {
    const w = await world();
    w.replicate.execute(w.file);
    expect(w.replicate.pending).toBe(1);
    await w.tasks.drain();
    expect(w.replicate.pending).toBe(0);
    expect(await text(await w.backup!.get(w.file.filePath))).toBe('the bytes');
    expect((await w.files.findById(w.file.id))?.backup).toEqual({ state: 'completed', provider: 'aws_s3', attempts: 1, lastError: null });
  });

  it('retries with back-off while the backup provider is down, then completes', async () => {
    const w = await world();
    w.backup!.setAvailable(false);
    let calls = 0;
    const original = w.backup!.put.bind(w.backup);
    w.backup!.put = async (...args) => {
      if (++calls === 2) w.backup!.setAvailable(true);
      return original(...args);
    };
    await expect(w.replicate.run(w.file)).resolves.toMatchObject({ state: 'completed', attempts: 2 });
    expect(w.waits).toEqual([100]);
  });

  it('records failed with a safe message after the last attempt', async () => {
    const w = await world();
    w.backup!.setAvailable(false);
    await expect(w.replicate.run(w.file)).resolves.toEqual({ state: 'failed', provider: 'aws_s3', attempts: 3, lastError: 'Storage backend aws_s3 failed' });
    expect(w.waits).toEqual([100, 200]);
    expect((await w.files.findById(w.file.id))?.backup.state).toBe('failed');
  });

  it('stops at once when the primary object is gone (deleted meanwhile)', async () => {
    const w = await world();
    await w.primary.delete(w.file.filePath);
    await expect(w.replicate.run(w.file)).resolves.toMatchObject({ state: 'failed', attempts: 1, lastError: 'the primary object is gone' });
    expect(w.backup!.keys()).toEqual([]);
  });

  it('carries on counting from the attempts a stopped run recorded', async () => {
    const w = await world();
    w.backup!.setAvailable(false);
    const interrupted = { ...w.file, backup: { ...w.file.backup, state: 'pending' as const, attempts: 2 } };
    await expect(w.replicate.run(interrupted)).resolves.toMatchObject({ state: 'failed', attempts: 3 });
    expect(w.waits).toEqual([]);
  });

  it('runs one copy of a file at a time: a second request while it is copying is skipped', async () => {
    const w = await world();
    w.replicate.execute(w.file);
    await expect(w.replicate.run(w.file)).resolves.toBeNull();
    await w.tasks.drain();
    expect((await w.files.findById(w.file.id))?.backup.state).toBe('completed');
  });

  it('copies nothing for a file deleted before its copy starts, and records nothing', async () => {
    const w = await world();
    await w.files.remove(w.file.id);
    await expect(w.replicate.run(w.file)).resolves.toBeNull();
    expect(w.backup!.keys()).toEqual([]);
    expect(await w.files.findById(w.file.id)).toBeNull();
  });

  it('a permanent delete racing a running copy leaves no copy at the backup', async () => {
    const w = await world();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let putStarted!: () => void;
    const started = new Promise<void>((r) => (putStarted = r));
    const original = w.backup!.put.bind(w.backup);
    w.backup!.put = async (...args) => {
      putStarted();
      await gate;
      return original(...args);
    };
    const copy = w.replicate.run(w.file);
    await started;
    const row = (await w.files.findById(w.file.id))!;
    await new RemoveStoredFile(w.files, w.primary, w.backup).execute(row);
    release();
    await expect(copy).resolves.toBeNull();
    expect(w.backup!.keys()).toEqual([]);
    expect(await w.files.findById(w.file.id)).toBeNull();
  });

  it('does nothing without a backup store', async () => {
    const w = await world({ backup: false });
    expect(w.replicate.enabled).toBe(false);
    w.replicate.execute(w.file);
    await w.tasks.drain();
    expect((await w.files.findById(w.file.id))?.backup.state).toBe('none');
  });
});
