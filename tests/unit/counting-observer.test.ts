import { cacheObserverContract } from '../contract/cache-observer.contract';
import { CountingObserver } from '../support/read-fakes';

cacheObserverContract('CountingObserver', () => {
  const observer = new CountingObserver();
  return { observer, counts: async (cache) => observer.counts(cache) };
});
