import { InMemoryCdnPurger } from '../../src/adapters/in-memory/fakes/in-memory-cdn-purger';
import { cdnPurgerContract } from '../contract/cdn-purger.contract';

cdnPurgerContract('InMemoryCdnPurger', 'https://cdn.example.test', async () => {
  const purger = new InMemoryCdnPurger();
  return {
    purger,
    prime: async (target, variant) => purger.cache(target.path, variant),
    wasPurged: async (target, variant) => !purger.isCached(target.path, variant),
    purgeCalls: () => purger.calls,
    refuseNext: () => purger.refuseNext(),
    close: async () => undefined,
  };
});
