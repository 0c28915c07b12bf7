import { InMemoryRateLimitCounter } from '../../src/adapters/in-memory/fallbacks/in-memory-rate-limit-counter';
import { rateLimitCounterContract } from '../contract/rate-limit-counter.contract';

rateLimitCounterContract('InMemoryRateLimitCounter', async () => ({ counter: new InMemoryRateLimitCounter(), close: async () => undefined }));
