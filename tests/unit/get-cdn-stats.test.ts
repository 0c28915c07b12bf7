import { InMemoryCdnCacheStore } from '../../src/adapters/in-memory/fakes/in-memory-cdn-cache-store';
import { InMemoryFileRepository } from '../../src/adapters/in-memory/fakes/in-memory-file-repository';
import { CdnTrafficCounter } from '../../src/application/storage/cdn/cdn-traffic-counter';
import { GetCdnStats } from '../../src/application/storage/cdn/get-cdn-stats';
import { ValidationFailed } from '../../src/domain/shared/errors';
import { aCaller } from '../support/caller-builder';
import { FakeClock } from '../support/fake-clock';
import { aFile } from '../support/file-builder';

const HOUR = 3_600_000;

/** GetCdnStats's time series over the in-memory store: every interval of the period, zeros where quiet. */
describe('GetCdnStats intervals', () => {
  // 10:30 UTC: the period's first hour and its intervals are not aligned with `since`.
  const clock = new FakeClock(new Date('2024-01-15T10:30:00Z'));
  const files = new InMemoryFileRepository();
  const store = new InMemoryCdnCacheStore(files);
  const counter = new CdnTrafficCounter(store, 'none', 'https://cdn.example.test', 60);
  const stats = new GetCdnStats(files, store, counter, 'origin', clock);
  const owner = aCaller().build();
  const file = aFile().ownedBy(owner.userId).build();

  beforeAll(async () => {
    await files.insertWithinQuota(file, Number.MAX_SAFE_INTEGER, []);
    const hit = (at: string, hit: boolean) => ({ path: `/cdn/files/${file.id}/0123456789abcdef`, at: new Date(at), hit, bytes: 100 });
    counter.count([hit('2024-01-15T10:10:00Z', false), hit('2024-01-15T10:20:00Z', true), hit('2024-01-14T13:05:00Z', false), hit('2024-01-01T00:00:00Z', false)]);
  });

  it('answers 24 hours hourly: 25 intervals from the hour holding the start, the traffic in its hours', async () => {
    const result = await stats.execute({ caller: owner, period: '24h' });
    expect(result.interval).toBe('1h');
    const { intervals } = result.stats;
    expect(intervals).toHaveLength(25);
    expect(intervals[0]!.start).toEqual(new Date('2024-01-14T10:00:00Z'));
    expect(intervals.at(-1)).toEqual({ start: new Date('2024-01-15T10:00:00Z'), requests: 2, hits: 1, misses: 1, bytes: 200 });
    expect(intervals.find((i) => i.start.getTime() === Date.parse('2024-01-14T13:00:00Z'))?.requests).toBe(1);
    expect(intervals.reduce((n, i) => n + i.requests, 0)).toBe(result.stats.requests);
    expect(intervals.every((i, n) => n === 0 || i.start.getTime() - intervals[n - 1]!.start.getTime() === HOUR)).toBe(true);
  });

  it('chooses 6 h over a week and a day beyond two weeks, or the interval asked for', async () => {
    const week = await stats.execute({ caller: owner, period: '7d' });
    expect(week.interval).toBe('6h');
    // 2024-01-08 10:30 → the 06:00 interval, through 2024-01-15's 06:00 one: 29.
    expect(week.stats.intervals).toHaveLength(29);
    expect(week.stats.intervals[0]!.start).toEqual(new Date('2024-01-08T06:00:00Z'));
    expect(week.stats.intervals.at(-1)!.requests).toBe(2);
    const month = await stats.execute({ caller: owner, period: '30d' });
    expect(month.interval).toBe('1d');
    expect(month.stats.intervals.reduce((n, i) => n + i.requests, 0)).toBe(4);
    const asked = await stats.execute({ caller: owner, period: '2d', interval: '12h' });
    expect(asked.stats.intervals.map((i) => i.start.toISOString().slice(11, 13))).toEqual(['00', '12', '00', '12', '00']);
  });

  it('refuses a bad interval, and more than 1000 intervals', async () => {
    await expect(stats.execute({ caller: owner, period: '7d', interval: '30m' })).rejects.toBeInstanceOf(ValidationFailed);
    await expect(stats.execute({ caller: owner, period: '90d', interval: '1h' })).rejects.toBeInstanceOf(ValidationFailed);
    expect((await stats.execute({ caller: owner, period: '40d', interval: '1h' })).stats.intervals).toHaveLength(961);
  });
});
