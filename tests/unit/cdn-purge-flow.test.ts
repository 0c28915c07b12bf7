import { InMemoryCdnCacheStore } from '../../src/adapters/in-memory/fakes/in-memory-cdn-cache-store';
import { InMemoryCdnPurger } from '../../src/adapters/in-memory/fakes/in-memory-cdn-purger';
import { InMemoryFileRepository } from '../../src/adapters/in-memory/fakes/in-memory-file-repository';
import { InMemoryPurgeRequestRepository } from '../../src/adapters/in-memory/fakes/in-memory-purge-request-repository';
import { InMemoryJobQueue } from '../../src/adapters/queue/in-memory-job-queue';
import { CdnTargets } from '../../src/application/storage/cdn/cdn-targets';
import { RequestCdnPurge } from '../../src/application/storage/cdn/request-cdn-purge';
import { RunCdnPurge } from '../../src/application/storage/cdn/run-cdn-purge';
import { fileCdnPath, thumbnailCdnPath } from '../../src/domain/storage/cdn';
import { aCaller } from '../support/caller-builder';
import { eventually } from '../support/eventually';
import { FakeClock } from '../support/fake-clock';
import { aFile } from '../support/file-builder';
import { RecordingLogger } from '../support/recording-logger';

/** The two halves of a purge wired over the in-memory queue: asked, queued, run, retried, done. */
describe('a CDN purge from request to provider (in-memory adapters)', () => {
  it('empties the CDN of the file\'s URLs, signed variants included, retrying a refusal', async () => {
    const clock = new FakeClock();
    const files = new InMemoryFileRepository();
    const requests = new InMemoryPurgeRequestRepository();
    const cdn = new InMemoryCdnPurger('varnish');
    const queue = new InMemoryJobQueue(3);
    const logger = new RecordingLogger();
    const owner = aCaller().build();
    const file = aFile().ownedBy(owner.userId).build();
    await files.insertWithinQuota(file, Number.MAX_SAFE_INTEGER, []);
    cdn.cache(fileCdnPath(file));
    cdn.cache(fileCdnPath(file), 'expires=1&signature=x');
    cdn.cache(thumbnailCdnPath(file.id));
    cdn.cache('/cdn/files/someone-else/0000000000000000');
    cdn.refuseNext();

    const run = new RunCdnPurge(requests, [cdn], new InMemoryCdnCacheStore(files), clock, logger);
    await queue.work((job) => run.execute(job), { concurrency: 1 });
    const request = await new RequestCdnPurge(files, new CdnTargets(files, 'https://cdn.test'), requests, queue, [cdn], clock, logger)
      .execute({ caller: owner, fileIds: [file.id], purgeType: 'all' });

    const done = await eventually('the purge', async () => {
      const r = await requests.findById(request.id);
      return r?.status === 'completed' ? r : undefined;
    });
    // The file, its thumbnail alias and its renditions' path (/cdn/render/{id}).
    expect(done.providers).toEqual([{ provider: 'varnish', status: 'completed', urlsPurged: 3, error: null }]);
    expect(done.attempts).toBe(2);
    expect(cdn.isCached(fileCdnPath(file))).toBe(false);
    expect(cdn.isCached(fileCdnPath(file), 'expires=1&signature=x')).toBe(false);
    expect(cdn.isCached(thumbnailCdnPath(file.id))).toBe(false);
    expect(cdn.isCached('/cdn/files/someone-else/0000000000000000')).toBe(true);
    await queue.close();
  });
});
