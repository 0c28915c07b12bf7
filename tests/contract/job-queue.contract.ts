import type { JobQueue, QueuedJob } from '../../src/application/ports/job-queue.port';
import { eventually } from '../support/eventually';

export interface JobQueueUnderTest {
  /** A queue instance on the shared backing store; `retries` retries after the first attempt. */
  open(retries: number): Promise<JobQueue>;
  close(): Promise<void>;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
let sequence = 0;
const jobId = () => `00000000-0000-4000-8000-${String(Date.now() % 1e6).padStart(6, '0')}${String(++sequence).padStart(6, '0')}`;

export function jobQueueContract(name: string, make: () => Promise<JobQueueUnderTest>): void {
  describe(`JobQueue contract: ${name}`, () => {
    let world: JobQueueUnderTest;
    const opened: JobQueue[] = [];
    const open = async (retries = 0) => {
      const queue = await world.open(retries);
      opened.push(queue);
      return queue;
    };
    beforeEach(async () => {
      world = await make();
    });
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((q) => q.close()));
      await world.close();
    });

    it('delivers an enqueued job once, with its payload', async () => {
      const queue = await open();
      const seen: QueuedJob[] = [];
      await queue.work(async (job) => void seen.push(job), { concurrency: 2 });
      const id = jobId();
      await queue.enqueue({ id, payload: { file: 'a' } });
      await eventually('the delivery', () => (seen.length > 0 ? true : undefined));
      await pause(300);
      expect(seen).toEqual([{ id, payload: { file: 'a' }, attempt: 1, lastAttempt: true }]);
    });

    it('retries a job whose handler throws, and says which attempt is the last', async () => {
      const queue = await open(1);
      const attempts: Array<[number, boolean]> = [];
      await queue.work(async (job) => {
        attempts.push([job.attempt, job.lastAttempt]);
        throw new Error('transient');
      }, { concurrency: 1 });
      await queue.enqueue({ id: jobId(), payload: {} });
      await eventually('two attempts', () => (attempts.length >= 2 ? true : undefined), 20_000);
      await pause(500);
      expect(attempts).toEqual([[1, false], [2, true]]);
    });

    it('never delivers a job cancelled while queued', async () => {
      const queue = await open();
      const id = jobId();
      await queue.enqueue({ id, payload: {} });
      await queue.cancel(id);
      const seen: string[] = [];
      await queue.work(async (job) => void seen.push(job.id), { concurrency: 1 });
      const other = jobId();
      await queue.enqueue({ id: other, payload: {} });
      await eventually('the other job', () => (seen.includes(other) ? true : undefined));
      expect(seen).toEqual([other]);
    });

    it('keeps jobs queued when nothing works (concurrency 0)', async () => {
      const queue = await open();
      const seen: string[] = [];
      await queue.work(async (job) => void seen.push(job.id), { concurrency: 0 });
      await queue.enqueue({ id: jobId(), payload: {} });
      await pause(500);
      expect(seen).toEqual([]);
    });

    it('runs at most `concurrency` jobs at a time', async () => {
      const queue = await open();
      let active = 0;
      let peak = 0;
      let done = 0;
      await queue.work(async () => {
        active++;
        peak = Math.max(peak, active);
        await pause(200);
        active--;
        done++;
      }, { concurrency: 2 });
      for (let i = 0; i < 5; i++) await queue.enqueue({ id: jobId(), payload: {} });
      await eventually('five jobs', () => (done === 5 ? true : undefined), 20_000);
      expect(peak).toBeLessThanOrEqual(2);
    });
  });
}
