import { randomUUID } from 'node:crypto';
import type { FileRepository } from '../../src/application/ports/file-repository.port';
import type { Transformation, TransformationRepository } from '../../src/application/ports/transformation-repository.port';
import type { StoredFile } from '../../src/domain/storage/stored-file';
import { aFile } from '../support/file-builder';
import { aTransformation } from '../support/transformation-builder';

/** The repository under test, and the files its jobs point at (PostgreSQL holds them to their rows). */
export interface TransformationWorld {
  transformations: TransformationRepository;
  files: FileRepository;
}

/**
 * What every TransformationRepository promises, PostgreSQL or the fake. Each test uses fresh files
 * and ids; queue positions are compared with a baseline, since other tests' jobs may share the table.
 */
export function transformationRepositoryContract(name: string, make: () => Promise<TransformationWorld>): void {
  describe(`${name} (TransformationRepository contract)`, () => {
    let repo: TransformationRepository;
    let files: FileRepository;
    let source: StoredFile;
    beforeEach(async () => {
      ({ transformations: repo, files } = await make());
      source = await storedFile();
    });

    async function storedFile(): Promise<StoredFile> {
      const file = aFile().build();
      await files.insertWithinQuota(file, Number.MAX_SAFE_INTEGER, []);
      return file;
    }

    async function queued(build: (b: ReturnType<typeof aTransformation>) => ReturnType<typeof aTransformation> = (b) => b): Promise<Transformation> {
      const t = build(aTransformation().of(source)).build();
      await repo.insert(t);
      return t;
    }

    const at = (iso: string) => new Date(iso);

    it('inserts a queued job and reads it back whole, parameters and output name included', async () => {
      const t = await queued((b) => b.ofType('convert', { format: 'webp', quality: 80, resize: { width: 640, fit: 'inside' } }).named('out.webp'));
      expect(await repo.findById(t.id)).toEqual(t);
      expect(await repo.statusOf(t.id)).toBe('queued');
      const unnamed = await queued();
      expect((await repo.findById(unnamed.id))?.outputName).toBeNull();
    });

    it('answers nothing for unknown or malformed ids', async () => {
      expect(await repo.findById(randomUUID())).toBeNull();
      expect(await repo.statusOf(randomUUID())).toBeNull();
      expect(await repo.findById('not-a-uuid')).toBeNull();
      expect(await repo.statusOf('not-a-uuid')).toBeNull();
      expect(await repo.start(randomUUID(), new Date())).toBeNull();
      expect(await repo.cancel(randomUUID(), new Date())).toBe(false);
      expect(await repo.cancel('not-a-uuid', new Date())).toBe(false);
      expect(await repo.queuedAhead('not-a-uuid')).toBe(0);
    });

    it('starts a queued job: processing, one attempt, started then; a retry counts again and keeps the first start', async () => {
      const t = await queued();
      const first = await repo.start(t.id, at('2024-03-01T10:00:00Z'));
      expect(first).toEqual({ ...t, status: 'processing', attempts: 1, startedAt: at('2024-03-01T10:00:00Z'), progressPercent: 0 });
      await repo.progress(t.id, 40);
      const retry = await repo.start(t.id, at('2024-03-01T10:05:00Z'));
      expect(retry).toMatchObject({ status: 'processing', attempts: 2, startedAt: at('2024-03-01T10:00:00Z'), progressPercent: 0 });
      expect(await repo.findById(t.id)).toEqual(retry);
    });

    it('raises progress only while processing, and never lowers it', async () => {
      const t = await queued();
      await repo.progress(t.id, 30);
      expect((await repo.findById(t.id))?.progressPercent).toBe(0);
      await repo.start(t.id, new Date());
      await repo.progress(t.id, 30);
      await repo.progress(t.id, 20);
      expect((await repo.findById(t.id))?.progressPercent).toBe(30);
      await repo.progress(t.id, 55);
      expect((await repo.findById(t.id))?.progressPercent).toBe(55);
    });

    it('completes a processing job once, with its output, time and full progress', async () => {
      const t = await queued();
      const output = await storedFile();
      expect(await repo.complete(t.id, output.id, at('2024-03-01T10:00:02Z'), 2_000)).toBe(false);
      await repo.start(t.id, at('2024-03-01T10:00:00Z'));
      expect(await repo.complete(t.id, output.id, at('2024-03-01T10:00:02Z'), 2_000)).toBe(true);
      expect(await repo.findById(t.id)).toEqual({
        ...t,
        status: 'completed',
        attempts: 1,
        progressPercent: 100,
        targetFileId: output.id,
        startedAt: at('2024-03-01T10:00:00Z'),
        completedAt: at('2024-03-01T10:00:02Z'),
        processingTimeMs: 2_000,
      });
      expect(await repo.complete(t.id, output.id, new Date(), 1)).toBe(false);
      expect(await repo.fail(t.id, 'late', new Date())).toBe(false);
      expect(await repo.cancel(t.id, new Date())).toBe(false);
      expect(await repo.start(t.id, new Date())).toBeNull();
      await repo.progress(t.id, 10);
      expect(await repo.statusOf(t.id)).toBe('completed');
      expect((await repo.findById(t.id))?.progressPercent).toBe(100);
    });

    it('fails a queued or processing job with its message; a failed job stays failed', async () => {
      const waiting = await queued();
      expect(await repo.fail(waiting.id, 'The job could not be queued', at('2024-03-01T10:00:00Z'))).toBe(true);
      expect(await repo.findById(waiting.id)).toMatchObject({ status: 'failed', errorMessage: 'The job could not be queued', completedAt: at('2024-03-01T10:00:00Z') });
      const running = await queued();
      await repo.start(running.id, new Date());
      expect(await repo.fail(running.id, 'corrupt input', new Date())).toBe(true);
      expect(await repo.statusOf(running.id)).toBe('failed');
      expect(await repo.start(running.id, new Date())).toBeNull();
      expect(await repo.cancel(running.id, new Date())).toBe(false);
      expect((await repo.findById(running.id))?.errorMessage).toBe('corrupt input');
    });

    it('cancels a queued or processing job; a cancelled job never starts, completes or fails', async () => {
      const waiting = await queued();
      expect(await repo.cancel(waiting.id, at('2024-03-01T10:00:00Z'))).toBe(true);
      expect(await repo.findById(waiting.id)).toMatchObject({ status: 'cancelled', completedAt: at('2024-03-01T10:00:00Z'), attempts: 0 });
      expect(await repo.start(waiting.id, new Date())).toBeNull();
      const running = await queued();
      await repo.start(running.id, new Date());
      expect(await repo.cancel(running.id, new Date())).toBe(true);
      expect(await repo.complete(running.id, (await storedFile()).id, new Date(), 5)).toBe(false);
      expect(await repo.fail(running.id, 'too late', new Date())).toBe(false);
      expect(await repo.cancel(running.id, new Date())).toBe(false);
      expect(await repo.findById(running.id)).toMatchObject({ status: 'cancelled', targetFileId: null, errorMessage: null });
    });

    it('lets exactly one of a racing cancel and complete win', async () => {
      const output = await storedFile();
      const jobs = await Promise.all([1, 2, 3, 4, 5].map(() => queued()));
      for (const t of jobs) await repo.start(t.id, new Date());
      for (const t of jobs) {
        const [cancelled, completed] = await Promise.all([repo.cancel(t.id, new Date()), repo.complete(t.id, output.id, new Date(), 10)]);
        expect(cancelled !== completed).toBe(true);
        expect(await repo.statusOf(t.id)).toBe(cancelled ? 'cancelled' : 'completed');
      }
    });

    it('counts the queued jobs created before a job, and only those', async () => {
      // A time no other test uses, so that only this test's jobs fall between the first and the last.
      const base = Date.UTC(2001, 0, 1) + Math.floor(Math.random() * 1e9) * 1_000;
      const jobs: Transformation[] = [];
      for (let i = 0; i < 4; i++) jobs.push(await queued((b) => b.createdAt(new Date(base + i * 1_000))));
      const ahead = async (t: Transformation) => (await repo.queuedAhead(t.id)) - (await repo.queuedAhead(jobs[0]!.id));
      expect(await Promise.all(jobs.map(ahead))).toEqual([0, 1, 2, 3]);
      await repo.start(jobs[1]!.id, new Date());
      await repo.cancel(jobs[2]!.id, new Date());
      expect(await ahead(jobs[3]!)).toBe(1);
    });

    it('lists one owner\'s jobs newest first, paged with the total, filtered by status or source; null lists every owner', async () => {
      const other = await storedFile();
      const base = Date.UTC(2002, 0, 1) + Math.floor(Math.random() * 1e9) * 1_000;
      const jobs: Transformation[] = [];
      for (let i = 0; i < 3; i++) jobs.push(await queued((b) => b.createdAt(new Date(base + i * 1_000))));
      const elsewhere = aTransformation().of(other).createdAt(new Date(base + 5_000)).build();
      await repo.insert(elsewhere);
      await repo.cancel(jobs[1]!.id, new Date(base + 10_000));

      const mine = await repo.list({ userId: source.userId, page: 1, limit: 2 });
      expect(mine.total).toBe(3);
      expect(mine.transformations.map((t) => t.id)).toEqual([jobs[2]!.id, jobs[1]!.id]);
      expect(mine.transformations[1]).toEqual(expect.objectContaining({ status: 'cancelled', sourceFileId: source.id, userId: source.userId }));
      expect((await repo.list({ userId: source.userId, page: 2, limit: 2 })).transformations.map((t) => t.id)).toEqual([jobs[0]!.id]);
      expect((await repo.list({ userId: source.userId, page: 3, limit: 2 })).transformations).toEqual([]);
      expect(await repo.list({ userId: source.userId, status: 'cancelled', page: 1, limit: 10 })).toEqual({ transformations: [await repo.findById(jobs[1]!.id)], total: 1 });
      expect((await repo.list({ userId: randomUUID(), page: 1, limit: 10 })).total).toBe(0);
      expect((await repo.list({ userId: null, sourceFileId: other.id, page: 1, limit: 10 })).transformations.map((t) => t.id)).toEqual([elsewhere.id]);
      expect((await repo.list({ userId: source.userId, sourceFileId: other.id, page: 1, limit: 10 })).total).toBe(0);
      expect((await repo.list({ userId: null, sourceFileId: 'not-a-uuid', page: 1, limit: 10 })).total).toBe(0);
    });
  });
}
