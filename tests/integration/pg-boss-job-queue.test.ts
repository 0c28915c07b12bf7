import { randomUUID } from 'node:crypto';
import { PgBossJobQueue } from '../../src/adapters/queue/pg-boss-job-queue';
import type { JobQueue } from '../../src/application/ports/job-queue.port';
import { jobQueueContract } from '../contract/job-queue.contract';
import { capturingLogger } from '../support/capturing-logger';
import { eventually } from '../support/eventually';
import { scratchDatabase } from '../support/scratch-database';

const openQueue = (url: string, retries = 0, timeoutSeconds = 60): PgBossJobQueue =>
  new PgBossJobQueue({ connectionString: url, queue: 'contract', retries, timeoutSeconds, pollingIntervalSeconds: 0.5, abandonedQueue: true }, capturingLogger().logger);

jobQueueContract('PgBossJobQueue', async () => {
  const db = await scratchDatabase();
  return { open: async (retries) => openQueue(db.url, retries), close: () => db.drop() };
});

describe('PgBossJobQueue across instances', () => {
  let db: Awaited<ReturnType<typeof scratchDatabase>>;
  const queues: JobQueue[] = [];
  beforeAll(async () => {
    db = await scratchDatabase();
  });
  afterEach(async () => {
    await Promise.all(queues.splice(0).map((q) => q.close()));
  });
  afterAll(async () => {
    await db.drop();
  });

  it('two instances sharing the queue run each job once', async () => {
    const a = openQueue(db.url);
    const b = openQueue(db.url);
    queues.push(a, b);
    const runs: Array<[string, string]> = [];
    await a.work(async (job) => void runs.push(['a', job.id]), { concurrency: 2 });
    await b.work(async (job) => void runs.push(['b', job.id]), { concurrency: 2 });
    const ids = Array.from({ length: 20 }, () => randomUUID());
    for (const [i, id] of ids.entries()) await (i % 2 ? a : b).enqueue({ id, payload: {} });
    await eventually('20 runs', () => (runs.length >= 20 ? true : undefined), 20_000);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(runs.map(([, id]) => id).sort()).toEqual([...ids].sort());
  });

  it('a job enqueued before a restart runs once after it', async () => {
    const before = openQueue(db.url);
    const id = randomUUID();
    await before.enqueue({ id, payload: { n: 1 } });
    await before.close();
    const after = openQueue(db.url);
    queues.push(after);
    const runs: string[] = [];
    await after.work(async (job) => void runs.push(job.id), { concurrency: 1 });
    await eventually('the run', () => (runs.length ? true : undefined));
    await new Promise((r) => setTimeout(r, 1_000));
    expect(runs).toEqual([id]);
  });

  it('a job whose worker dies on its last attempt is handed to onAbandoned once, with its id and payload (issue 13)', async () => {
    // The "dead" worker: takes the job and never finishes it (as a process killed with -9 would not).
    let release: () => void = () => undefined;
    const dead = openQueue(db.url, 0, 1);
    const alive = openQueue(db.url, 0, 1);
    queues.push(alive);
    const taken: Array<Record<string, unknown>> = [];
    await dead.work(
      (job) => {
        taken.push(job.payload);
        return new Promise<void>((resolve) => (release = resolve));
      },
      { concurrency: 1 },
    );
    const id = randomUUID();
    await dead.enqueue({ id, payload: { n: 7 } });
    await eventually('the job taken', () => (taken.length ? true : undefined), 20_000);
    const abandoned: Array<{ id: string; payload: Record<string, unknown> }> = [];
    await alive.work(async () => undefined, { concurrency: 1, onAbandoned: async (job) => void abandoned.push(job) });
    await eventually('the abandoned job reported', () => (abandoned.length ? true : undefined), 30_000);
    await new Promise((r) => setTimeout(r, 1_500));
    release();
    await dead.close();
    expect(taken).toEqual([{ n: 7 }]);
    expect(abandoned).toEqual([{ id, payload: { n: 7 } }]);
  });
});
