import { randomUUID } from 'node:crypto';
import { InMemoryCdnCacheStore } from '../../src/adapters/in-memory/fakes/in-memory-cdn-cache-store';
import { InMemoryFileRepository } from '../../src/adapters/in-memory/fakes/in-memory-file-repository';
import { InMemoryPurgeRequestRepository } from '../../src/adapters/in-memory/fakes/in-memory-purge-request-repository';
import { InMemoryJobQueue } from '../../src/adapters/queue/in-memory-job-queue';
import type { CdnPurger } from '../../src/application/ports/cdn.port';
import type { QueuedJob } from '../../src/application/ports/job-queue.port';
import { RunCdnPurge } from '../../src/application/storage/cdn/run-cdn-purge';
import { fileCdnPath, thumbnailCdnPath, type CdnProvider, type CdnTarget } from '../../src/domain/storage/cdn';
import type { PurgeRequest } from '../../src/domain/storage/cdn-purge';
import { CdnSyncFailed } from '../../src/domain/storage/errors';
import { eventually } from '../support/eventually';
import { FakeClock } from '../support/fake-clock';
import { aFile } from '../support/file-builder';
import { aPurgeRequest } from '../support/purge-request-builder';
import { RecordingLogger } from '../support/recording-logger';

/** A CDN that answers each purge call with the next scripted outcome (then accepts everything). */
class ScriptedPurger implements CdnPurger {
  readonly calls: CdnTarget[][] = [];
  constructor(
    readonly provider: CdnProvider,
    private readonly script: Array<'accept' | 'refuse'> = [],
  ) {}

  async purge(targets: CdnTarget[]): Promise<number> {
    this.calls.push(targets);
    if (this.script.shift() === 'refuse') throw new CdnSyncFailed(`${this.provider} answered HTTP 503`);
    return targets.length;
  }
}

const job = (id: string, attempt: number, lastAttempt = false): QueuedJob => ({ id, payload: {}, attempt, lastAttempt });

describe('RunCdnPurge', () => {
  let clock: FakeClock;
  let files: InMemoryFileRepository;
  let requests: InMemoryPurgeRequestRepository;
  let cache: InMemoryCdnCacheStore;
  let request: PurgeRequest;

  beforeEach(async () => {
    clock = new FakeClock();
    files = new InMemoryFileRepository();
    requests = new InMemoryPurgeRequestRepository();
    cache = new InMemoryCdnCacheStore(files);
    const file = aFile().build();
    await files.insertWithinQuota(file, Number.MAX_SAFE_INTEGER, []);
    const targets = [fileCdnPath(file), thumbnailCdnPath(file.id)].map((path) => ({ fileId: file.id, path, url: `https://cdn.test${path}` }));
    request = aPurgeRequest().forProviders('varnish', 'cloudflare').forTargets(targets).build();
    await requests.create(request);
    // Both CDNs fetched both URLs a minute ago: cached for another hour.
    const buckets = targets.map((t) => ({ fileId: file.id, cacheKey: t.path, url: t.url, bucketStart: clock.now(), region: null, requests: 1, hits: 0, misses: 1, bytes: 10, lastAt: clock.now() }));
    for (const provider of ['varnish', 'cloudflare'] as const) await cache.recordTraffic(provider, buckets, 3_600);
    clock.advance(60_000);
  });

  function runner(...purgers: CdnPurger[]) {
    return new RunCdnPurge(requests, purgers, cache, clock, new RecordingLogger());
  }
  const stored = async () => (await requests.findById(request.id))!;
  const expiries = (provider: CdnProvider) => cache.cacheRows().filter((r) => r.provider === provider).map((r) => r.expiresAt);

  it('purges every provider, records what each purged and when the request completed, and expires the cache rows', async () => {
    const [varnish, cloudflare] = [new ScriptedPurger('varnish'), new ScriptedPurger('cloudflare')];
    await runner(varnish, cloudflare).execute(job(request.id, 1));
    expect(varnish.calls).toEqual([request.targets]);
    expect(cloudflare.calls).toEqual([request.targets]);
    expect(await stored()).toEqual({
      ...request, status: 'completed', attempts: 1, completedAt: clock.now(),
      providers: [
        { provider: 'varnish', status: 'completed', urlsPurged: 2, error: null },
        { provider: 'cloudflare', status: 'completed', urlsPurged: 2, error: null },
      ],
    });
    expect(expiries('varnish')).toEqual([clock.now(), clock.now()]);
    expect(expiries('cloudflare')).toEqual([clock.now(), clock.now()]);
  });

  it('keeps a provider completed when only the cache bookkeeping fails afterwards', async () => {
    cache.markPurged = () => Promise.reject(new Error('database hiccup'));
    await runner(new ScriptedPurger('varnish'), new ScriptedPurger('cloudflare')).execute(job(request.id, 1, true));
    expect((await stored()).status).toBe('completed');
    expect((await stored()).providers.map((p) => p.status)).toEqual(['completed', 'completed']);
  });

  it('a refusal before the last attempt throws (the queue retries), keeping the other provider done and not asking it again', async () => {
    const varnish = new ScriptedPurger('varnish');
    const cloudflare = new ScriptedPurger('cloudflare', ['refuse']);
    const run = runner(varnish, cloudflare);
    await expect(run.execute(job(request.id, 1))).rejects.toThrow(/retrying/);
    const between = await stored();
    expect(between).toMatchObject({ status: 'processing', attempts: 1, completedAt: null });
    expect(between.providers).toEqual([
      { provider: 'varnish', status: 'completed', urlsPurged: 2, error: null },
      { provider: 'cloudflare', status: 'queued', urlsPurged: 0, error: 'cloudflare answered HTTP 503' },
    ]);
    // Only the provider that purged no longer holds the URLs.
    expect(expiries('varnish')).toEqual([clock.now(), clock.now()]);
    expect(expiries('cloudflare')).not.toContainEqual(clock.now());

    clock.advance(30_000);
    await run.execute(job(request.id, 2));
    expect(varnish.calls).toHaveLength(1);
    expect(cloudflare.calls).toHaveLength(2);
    expect(await stored()).toMatchObject({ status: 'completed', attempts: 2, completedAt: clock.now() });
    expect((await stored()).providers[1]).toEqual({ provider: 'cloudflare', status: 'completed', urlsPurged: 2, error: null });
  });

  it('a refusal on the last attempt fails the request with the provider’s reason, without throwing', async () => {
    const varnish = new ScriptedPurger('varnish');
    const cloudflare = new ScriptedPurger('cloudflare', ['refuse']);
    await expect(runner(varnish, cloudflare).execute(job(request.id, 3, true))).resolves.toBeUndefined();
    expect(await stored()).toMatchObject({
      status: 'failed', attempts: 3, completedAt: clock.now(),
      providers: [
        { provider: 'varnish', status: 'completed', urlsPurged: 2, error: null },
        { provider: 'cloudflare', status: 'failed', urlsPurged: 0, error: 'cloudflare answered HTTP 503' },
      ],
    });
  });

  it('on a queue, a refused attempt is retried until every provider is done', async () => {
    const queue = new InMemoryJobQueue(2);
    const cloudflare = new ScriptedPurger('cloudflare', ['refuse', 'refuse']);
    const run = runner(new ScriptedPurger('varnish'), cloudflare);
    await queue.work((j) => run.execute(j), { concurrency: 1 });
    await queue.enqueue({ id: request.id, payload: {} });
    const done = await eventually('the purge to complete', async () => ((await stored()).status === 'completed' ? stored() : undefined));
    await queue.close();
    expect(done.attempts).toBe(3);
    expect(cloudflare.calls).toHaveLength(3);
  });

  it('fails a provider that is no longer configured, on the last attempt', async () => {
    await runner(new ScriptedPurger('varnish')).execute(job(request.id, 1, true));
    expect((await stored()).providers[1]).toEqual({ provider: 'cloudflare', status: 'failed', urlsPurged: 0, error: 'cloudflare is no longer configured' });
  });

  it('ignores an unknown request and one already finished', async () => {
    const varnish = new ScriptedPurger('varnish');
    const run = runner(varnish, new ScriptedPurger('cloudflare'));
    await expect(run.execute(job(randomUUID(), 1))).resolves.toBeUndefined();
    await run.execute(job(request.id, 1));
    const done = await stored();
    clock.advance(60_000);
    await run.execute(job(request.id, 2));
    expect(varnish.calls).toHaveLength(1);
    expect(await stored()).toEqual(done);
  });
});
