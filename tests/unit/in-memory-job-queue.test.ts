import { InMemoryJobQueue } from '../../src/adapters/queue/in-memory-job-queue';
import { jobQueueContract } from '../contract/job-queue.contract';

jobQueueContract('InMemoryJobQueue', async () => ({
  open: async (retries) => new InMemoryJobQueue(retries),
  close: async () => undefined,
}));
