import { PendingEffects } from '../../src/application/database/writes/pending-effects';

describe('PendingEffects', () => {
  it('is empty until something is added, and after a drain', () => {
    const effects = new PendingEffects();
    expect(effects.empty).toBe(true);
    expect(effects.drain()).toEqual([]);
    effects.add({ tables: [], outboxTransactionId: null });
    expect(effects.empty).toBe(true);
    effects.add({ tables: ['projects'], outboxTransactionId: null });
    expect(effects.drain()).toEqual([{ tables: ['projects'], outboxTransactionId: null }]);
    expect(effects.empty).toBe(true);
  });

  it('merges tables and keeps outbox ids in order, once each', () => {
    const effects = new PendingEffects();
    effects.add({ tables: ['projects'], outboxTransactionId: 'b' });
    effects.add({ tables: ['users', 'projects'], outboxTransactionId: 'a' });
    effects.add({ tables: [], outboxTransactionId: 'b' });
    expect(effects.drain()).toEqual([
      { tables: ['projects', 'users'], outboxTransactionId: 'b' },
      { tables: [], outboxTransactionId: 'a' },
    ]);
  });

  it('forgets everything on clear', () => {
    const effects = new PendingEffects();
    effects.add({ tables: ['projects'], outboxTransactionId: 'a' });
    effects.clear();
    expect(effects.drain()).toEqual([]);
  });
});
