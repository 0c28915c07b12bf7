import { randomBytes } from 'node:crypto';
import type { DatabaseSession } from '../../src/application/ports/database-session.port';
import type { OutboxStore } from '../../src/application/ports/outbox-store.port';
import type { NewOutboxEntry, OutboxEntry } from '../../src/domain/database/outbox-entry';

export interface OutboxStoreUnderTest {
  /** An empty outbox whose grace period is 200 ms. */
  store: OutboxStore;
  /** A session with a transaction begun. */
  begin(): Promise<DatabaseSession>;
  /** Lets `ms` pass for the store. */
  elapse(ms: number): Promise<void>;
  /** Holds the relay lock as another instance's relay would (an overdue entry exists), until released. */
  holdRelayLock(): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

const setKey = (key: string): NewOutboxEntry['effect'] => ({ kind: 'redis', command: { op: 'set', key, value: 'v', ttlSeconds: null } });

/** What every OutboxStore promises, PostgreSQL or the fake. */
export function outboxStoreContract(name: string, make: () => Promise<OutboxStoreUnderTest>): void {
  describe(`${name} (OutboxStore contract)`, () => {
    let s: OutboxStoreUnderTest;
    let store: OutboxStore;
    beforeEach(async () => {
      s = await make();
      store = s.store;
    });
    afterEach(() => s.close());

    /** Records entries in a transaction of their own and commits (or rolls back) it. */
    const recorded = async (entries: NewOutboxEntry[], outcome: 'commit' | 'rollback' = 'commit') => {
      const transactionId = `tx_${randomBytes(12).toString('hex')}`;
      const session = await s.begin();
      await store.record(session, transactionId, entries);
      await (outcome === 'commit' ? session.commit() : session.rollback());
      await session.release();
      return transactionId;
    };
    const shape = (entries: OutboxEntry[]) => entries.map((e) => [e.transactionId, e.seq, e.effect]);

    it('keeps what a committed transaction recorded, in order, and nothing of a rolled-back one', async () => {
      const invalidate: NewOutboxEntry = { seq: 0, effect: { kind: 'invalidate', tables: ['projects'] } };
      const tx = await recorded([invalidate, { seq: 2, effect: setKey('a') }, { seq: 3, effect: { kind: 'redis', command: { op: 'hdel', key: 'h', fields: ['x'] } } }]);
      const dropped = await recorded([{ seq: 1, effect: setKey('b') }], 'rollback');
      expect(shape(await store.pendingThrough(tx, 10))).toEqual([
        [tx, 0, invalidate.effect],
        [tx, 2, setKey('a')],
        [tx, 3, { kind: 'redis', command: { op: 'hdel', key: 'h', fields: ['x'] } }],
      ]);
      await expect(store.pendingThrough(dropped, 10)).resolves.toEqual([]);
      await expect(store.hasPendingInvalidations()).resolves.toBe(true);
    });

    it('puts older unapplied entries on the same keys first, other keys and later ones never, applied ones no more', async () => {
      const first = await recorded([{ seq: 1, effect: setKey('k') }, { seq: 2, effect: setKey('other') }, { seq: 3, effect: setKey('k') }]);
      const mine = await recorded([{ seq: 0, effect: { kind: 'invalidate', tables: ['projects'] } }, { seq: 1, effect: setKey('k') }]);
      const later = await recorded([{ seq: 1, effect: setKey('k') }]);
      const pending = await store.pendingThrough(mine, 10);
      expect(shape(pending).map(([tx, seq]) => [tx, seq])).toEqual([[first, 1], [first, 3], [mine, 0], [mine, 1]]);
      expect(Number(pending[0]?.id)).toBeLessThan(Number(pending[3]?.id));
      await expect(store.pendingThrough(mine, 2)).resolves.toHaveLength(2);
      await store.markApplied([{ id: pending[0]!.id, error: null }, { id: pending[1]!.id, error: 'WRONGTYPE' }]);
      await store.markApplied([{ id: pending[0]!.id, error: null }]);
      expect(shape(await store.pendingThrough(mine, 10)).map(([tx]) => tx)).toEqual([mine, mine]);
      expect(shape(await store.pendingThrough(later, 10)).map(([tx, seq]) => [tx, seq])).toEqual([[mine, 1], [later, 1]]);
      await store.markApplied((await store.pendingThrough(later, 10)).map((e) => ({ id: e.id, error: null })));
      await expect(store.pendingThrough(later, 10)).resolves.toEqual([]);
      // first's entry on another key was never anybody else's to apply: it is still owed (to the relay).
      expect(shape(await store.pendingThrough(first, 10)).map(([tx, seq]) => [tx, seq])).toEqual([[first, 2]]);
    });

    it('says when no invalidation is owed any more', async () => {
      await expect(store.hasPendingInvalidations()).resolves.toBe(false);
      const tx = await recorded([{ seq: 0, effect: { kind: 'invalidate', tables: ['users'] } }]);
      await expect(store.hasPendingInvalidations()).resolves.toBe(true);
      await store.markApplied((await store.pendingThrough(tx, 10)).map((e) => ({ id: e.id, error: null })));
      await expect(store.hasPendingInvalidations()).resolves.toBe(false);
    });

    it('gives the newest invalidation owed as a position, and says when everything up to a position is applied', async () => {
      await expect(store.newestPendingInvalidation()).resolves.toBeNull();
      const first = await recorded([{ seq: 0, effect: { kind: 'invalidate', tables: ['projects'] } }]);
      const mark = await store.newestPendingInvalidation();
      expect(mark).not.toBeNull();
      await expect(store.invalidationsSettledThrough(mark!)).resolves.toBe(false);
      const later = await recorded([{ seq: 0, effect: { kind: 'invalidate', tables: ['files'] } }, { seq: 1, effect: setKey('x') }]);
      expect(Number(await store.newestPendingInvalidation())).toBeGreaterThan(Number(mark));
      await store.markApplied((await store.pendingThrough(first, 10)).map((e) => ({ id: e.id, error: null })));
      // Everything up to the mark is applied; the later write's invalidation is not looked at.
      await expect(store.invalidationsSettledThrough(mark!)).resolves.toBe(true);
      await expect(store.hasPendingInvalidations()).resolves.toBe(true);
      await store.markApplied((await store.pendingThrough(later, 10)).map((e) => ({ id: e.id, error: null })));
      await expect(store.newestPendingInvalidation()).resolves.toBeNull();
    });

    it('relays nothing younger than the grace period, then everything in id order, in batches, marking what was done', async () => {
      const a = await recorded([{ seq: 1, effect: setKey('1') }, { seq: 2, effect: setKey('2') }]);
      const b = await recorded([{ seq: 1, effect: setKey('3') }]);
      const seen: string[][] = [];
      const applyAll = async (entries: OutboxEntry[]) => {
        seen.push(entries.map((e) => `${e.transactionId === a ? 'a' : 'b'}${e.seq}`));
        return entries.map((e) => ({ id: e.id, error: null }));
      };
      await expect(store.relay(2, applyAll)).resolves.toBe(0);
      expect(seen).toEqual([]);
      await s.elapse(300);
      await expect(store.relay(2, applyAll)).resolves.toBe(3);
      expect(seen).toEqual([['a1', 'a2'], ['b1']]);
      await expect(store.pendingThrough(b, 10)).resolves.toEqual([]);
    });

    it('stops a relay pass where the effects stopped, leaving the rest pending', async () => {
      const tx = await recorded([1, 2, 3].map((seq) => ({ seq, effect: setKey(String(seq)) })));
      await s.elapse(300);
      const firstOnly = async (entries: OutboxEntry[]) => entries.slice(0, 1).map((e) => ({ id: e.id, error: null }));
      await expect(store.relay(10, firstOnly)).resolves.toBe(1);
      expect((await store.pendingThrough(tx, 10)).map((e) => e.seq)).toEqual([2, 3]);
    });

    it('lets one relay run at a time', async () => {
      const tx = await recorded([{ seq: 1, effect: setKey('1') }]);
      await s.elapse(300);
      const release = await s.holdRelayLock();
      try {
        await expect(store.relay(10, async (entries) => entries.map((e) => ({ id: e.id, error: null })))).resolves.toBeNull();
      } finally {
        await release();
      }
      await expect(store.relay(10, async (entries) => entries.map((e) => ({ id: e.id, error: null })))).resolves.toBe(1);
      await expect(store.pendingThrough(tx, 10)).resolves.toEqual([]);
    });

    it('purges entries applied before the cutoff, never unapplied ones', async () => {
      const done = await recorded([{ seq: 1, effect: setKey('1') }]);
      const owed = await recorded([{ seq: 1, effect: setKey('2') }]);
      await store.markApplied((await store.pendingThrough(done, 10)).map((e) => ({ id: e.id, error: null })));
      await s.elapse(300);
      await expect(store.purgeApplied(new Date(Date.now() - 3_600_000))).resolves.toBe(0);
      await expect(store.purgeApplied(new Date(Date.now() + 3_600_000))).resolves.toBe(1);
      expect(shape(await store.pendingThrough(owed, 10)).map(([tx]) => tx)).toEqual([owed]);
    });
  });
}
