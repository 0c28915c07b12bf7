import { randomUUID } from 'node:crypto';
import { InMemoryFileRepository } from '../../src/adapters/in-memory/fakes/in-memory-file-repository';
import { InMemoryPurgeRequestRepository } from '../../src/adapters/in-memory/fakes/in-memory-purge-request-repository';
import { InMemoryJobQueue } from '../../src/adapters/queue/in-memory-job-queue';
import type { CdnPurger } from '../../src/application/ports/cdn.port';
import type { JobQueue } from '../../src/application/ports/job-queue.port';
import { CdnTargets } from '../../src/application/storage/cdn/cdn-targets';
import { renditionCdnPath } from '../../src/domain/storage/rendition';
import { RequestCdnPurge } from '../../src/application/storage/cdn/request-cdn-purge';
import { fileCdnPath, thumbnailCdnPath, type CdnProvider, type PurgeType } from '../../src/domain/storage/cdn';
import type { StoredFile } from '../../src/domain/storage/stored-file';
import { aCaller } from '../support/caller-builder';
import { FakeClock } from '../support/fake-clock';
import { aFile } from '../support/file-builder';
import { RecordingLogger } from '../support/recording-logger';

const BASE = 'https://cdn.example.test';
const purger = (provider: CdnProvider): CdnPurger => ({ provider, purge: async (targets) => targets.length });
const target = (fileId: string, path: string) => ({ fileId, path, url: `${BASE}${path}` });

describe('RequestCdnPurge', () => {
  const alice = aCaller().build();
  let clock: FakeClock;
  let files: InMemoryFileRepository;
  let requests: InMemoryPurgeRequestRepository;
  let queue: InMemoryJobQueue;
  let enqueued: string[];
  let logger: RecordingLogger;

  beforeEach(async () => {
    clock = new FakeClock();
    files = new InMemoryFileRepository();
    requests = new InMemoryPurgeRequestRepository();
    queue = new InMemoryJobQueue();
    enqueued = [];
    logger = new RecordingLogger();
    // A worker that only notes the job: what RunCdnPurge would be given.
    await queue.work(async (job) => void enqueued.push(job.id), { concurrency: 1 });
  });
  afterEach(() => queue.close());

  const useCase = (...providers: CdnProvider[]) =>
    new RequestCdnPurge(files, new CdnTargets(files, BASE), requests, queue, providers.map(purger), clock, logger);

  async function stored(owner = alice.userId): Promise<StoredFile> {
    const file = aFile().ownedBy(owner).build();
    await files.insertWithinQuota(file, Number.MAX_SAFE_INTEGER, []);
    return file;
  }

  /** A source image with a thumbnail, a resize, a compression, a conversion still running and a failed thumbnail. */
  async function withOutputs() {
    const [source, thumbnail, resized, compressed] = [await stored(), await stored(), await stored(), await stored()];
    const t = (type: string, status: string, outputFileId: string | null) => ({ id: randomUUID(), type, status, outputFileId });
    files.transformations.set(source.id, [
      t('thumbnail_generation', 'completed', thumbnail.id),
      t('image_resize', 'completed', resized.id),
      t('compression', 'completed', compressed.id),
      t('format_conversion', 'processing', null),
      t('thumbnail_generation', 'failed', null),
    ]);
    return { source, thumbnail, resized, compressed };
  }

  it.each<[PurgeType, (o: Awaited<ReturnType<typeof withOutputs>>) => Array<{ fileId: string; path: string }>]>([
    ['all', (o) => [
      { fileId: o.source.id, path: fileCdnPath(o.source) }, { fileId: o.source.id, path: thumbnailCdnPath(o.source.id) },
      { fileId: o.source.id, path: renditionCdnPath(o.source.id) },
      { fileId: o.thumbnail.id, path: fileCdnPath(o.thumbnail) }, { fileId: o.resized.id, path: fileCdnPath(o.resized) },
      { fileId: o.compressed.id, path: fileCdnPath(o.compressed) },
    ]],
    ['thumbnails', (o) => [{ fileId: o.source.id, path: thumbnailCdnPath(o.source.id) }, { fileId: o.source.id, path: renditionCdnPath(o.source.id) }, { fileId: o.thumbnail.id, path: fileCdnPath(o.thumbnail) }]],
    ['previews', (o) => [{ fileId: o.source.id, path: renditionCdnPath(o.source.id) }, { fileId: o.resized.id, path: fileCdnPath(o.resized) }, { fileId: o.compressed.id, path: fileCdnPath(o.compressed) }]],
  ])('purge_type %s covers its URLs (finished outputs only), queued for the job', async (purgeType, expected) => {
    const outputs = await withOutputs();
    const request = await useCase('varnish').execute({ caller: alice, fileIds: [outputs.source.id], purgeType });
    expect(request.targets).toEqual(expected(outputs).map((e) => target(e.fileId, e.path)));
    expect(request).toMatchObject({ userId: alice.userId, purgeType, reason: 'request', fileIds: [outputs.source.id], status: 'queued', attempts: 0, createdAt: clock.now(), completedAt: null });
    expect(request.providers).toEqual([{ provider: 'varnish', status: 'queued', urlsPurged: 0, error: null }]);
    expect(await requests.findById(request.id)).toEqual(request);
    expect(enqueued).toEqual([request.id]);
  });

  it('refuses someone else’s file (or an unknown one) as not found, creating and queueing nothing', async () => {
    const mine = await stored();
    const theirs = await stored(randomUUID());
    for (const other of [theirs.id, randomUUID()]) {
      await expect(useCase('varnish').execute({ caller: alice, fileIds: [mine.id, other], purgeType: 'all' })).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
    }
    expect(requests.all()).toEqual([]);
    expect(enqueued).toEqual([]);
  });

  it('lets an admin purge anyone’s file, in the admin’s name', async () => {
    const admin = aCaller().withRole('admin').build();
    const theirs = await stored(randomUUID());
    const request = await useCase('varnish').execute({ caller: admin, fileIds: [theirs.id], purgeType: 'all' });
    expect(request.userId).toBe(admin.userId);
  });

  it('counts a file asked for twice once', async () => {
    const file = await stored();
    const request = await useCase('varnish').execute({ caller: alice, fileIds: [file.id, file.id], purgeType: 'all' });
    expect(request.fileIds).toEqual([file.id]);
    expect(request.targets).toEqual([target(file.id, fileCdnPath(file)), target(file.id, thumbnailCdnPath(file.id)), target(file.id, renditionCdnPath(file.id))]);
  });

  it('marks the request failed, not queued forever, when its job cannot be queued, and tells the caller', async () => {
    const file = await stored();
    const down: JobQueue = { enqueue: () => Promise.reject(new Error('queue down')), cancel: async () => {}, work: async () => {}, close: async () => {} };
    const broken = new RequestCdnPurge(files, new CdnTargets(files, BASE), requests, down, [purger('varnish')], clock, logger);
    await expect(broken.execute({ caller: alice, fileIds: [file.id], purgeType: 'all' })).rejects.toThrow('queue down');
    expect(requests.all()).toEqual([
      expect.objectContaining({ status: 'failed', completedAt: clock.now(), providers: [{ provider: 'varnish', status: 'failed', urlsPurged: 0, error: 'the purge could not be queued' }] }),
    ]);
  });

  it('with no CDN (`none` only) the request is completed at once and no job is queued', async () => {
    const file = await stored();
    const request = await useCase('none').execute({ caller: alice, fileIds: [file.id], purgeType: 'all' });
    expect(request).toMatchObject({ status: 'completed', completedAt: clock.now(), providers: [{ provider: 'none', status: 'completed', urlsPurged: 0, error: null }] });
    expect(await requests.findById(request.id)).toEqual(request);
    expect(enqueued).toEqual([]);
  });

  describe('afterChange', () => {
    it('queues a purge of everything of the file, in its owner’s name', async () => {
      const { source, thumbnail } = await withOutputs();
      await useCase('varnish', 'cloudflare').afterChange(source, 'file_deleted');
      const [request] = requests.all();
      expect(request).toMatchObject({ userId: source.userId, purgeType: 'all', reason: 'file_deleted', fileIds: [source.id], status: 'queued' });
      expect(request!.targets).toContainEqual(target(thumbnail.id, fileCdnPath(thumbnail)));
      expect(request!.providers.map((p) => p.provider)).toEqual(['varnish', 'cloudflare']);
      expect(enqueued).toEqual([request!.id]);
    });

    it('does nothing when there is no CDN', async () => {
      await useCase('none').afterChange(await stored(), 'file_updated');
      expect(requests.all()).toEqual([]);
      expect(enqueued).toEqual([]);
    });

    it('never fails the change: a purge that cannot be queued is logged', async () => {
      const file = await stored();
      const down: JobQueue = { enqueue: () => Promise.reject(new Error('queue down')), cancel: async () => {}, work: async () => {}, close: async () => {} };
      const broken = new RequestCdnPurge(files, new CdnTargets(files, BASE), requests, down, [purger('varnish')], clock, logger);
      await expect(broken.afterChange(file, 'file_updated')).resolves.toBeUndefined();
      expect(logger.entries).toEqual([expect.objectContaining({ level: 'error', obj: expect.objectContaining({ file_id: file.id, err: { message: 'queue down' } }) })]);
    });
  });
});
