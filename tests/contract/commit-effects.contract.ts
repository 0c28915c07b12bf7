import type { CommitEffects, PostCommit } from '../../src/application/ports/commit-effects.port';

/** Whether a read cached before is still served; see cachedRead. */
export type CachedReadProbe = () => Promise<boolean>;

/** A transaction committed through the outbox, with one Redis SET among its effects. */
export interface OutboxWrites {
  commit(tables: string[], key: string, value: string): Promise<CommitEffects>;
  /** The value Redis (or its stand-in) holds under `key`. */
  redisValue(key: string): Promise<string | null>;
}

export interface PostCommitUnderTest {
  postCommit: PostCommit;
  /** Caches a read of `tables` now; the probe says whether it is still served. */
  cachedRead(tables: string[]): Promise<CachedReadProbe>;
  /** Where the adapter applies outboxed Redis operations. */
  outbox?: OutboxWrites;
  /** Where the adapter can lose Redis: makes it unreachable (true) or back (false). */
  redisDown?(down: boolean): Promise<void>;
  close(): Promise<void>;
}

export interface PostCommitFeatures {
  outbox: boolean;
  outage: boolean;
}

/**
 * What every PostCommit promises a transaction that has just committed: before its response, the
 * cached reads of the tables it wrote are unreachable and its outboxed Redis operations applied
 * (redisApplied); when Redis is down it still answers, with redisApplied false, and never throws
 * the outage at a caller whose write is already committed.
 */
export function postCommitContract(name: string, make: () => Promise<PostCommitUnderTest>, features: PostCommitFeatures): void {
  describe(`${name} (PostCommit contract)`, () => {
    let s: PostCommitUnderTest;
    beforeEach(async () => {
      s = await make();
    });
    afterEach(() => s.close());

    it("invalidates the cached reads of the transaction's tables before answering, and only those", async () => {
      const projects = await s.cachedRead(['projects']);
      const joined = await s.cachedRead(['content_analysis', 'projects']);
      const files = await s.cachedRead(['files']);
      await expect(s.postCommit.apply({ tables: ['projects'], outboxTransactionId: null })).resolves.toMatchObject({ redisApplied: true });
      expect(await projects()).toBe(false);
      expect(await joined()).toBe(false);
      expect(await files()).toBe(true);
    });

    it('answers redisApplied for a transaction that owes nothing', async () => {
      await expect(s.postCommit.apply({ tables: [], outboxTransactionId: null })).resolves.toMatchObject({ redisApplied: true });
    });

    if (features.outbox) {
      it("applies the transaction's outboxed operations and invalidation before answering, once", async () => {
        const outbox = s.outbox!;
        const projects = await s.cachedRead(['projects']);
        const effects = await outbox.commit(['projects'], 'user:1:status', 'active');
        await expect(s.postCommit.apply(effects)).resolves.toMatchObject({ redisApplied: true });
        expect(await outbox.redisValue('user:1:status')).toBe('active');
        expect(await projects()).toBe(false);
        // Applied again (a retry), nothing is left to do and nothing fails.
        await expect(s.postCommit.apply(effects)).resolves.toMatchObject({ redisApplied: true });
      });
    }

    if (features.outage) {
      it('answers redisApplied false, without throwing, while Redis is down', async () => {
        await s.redisDown!(true);
        await expect(s.postCommit.apply({ tables: ['projects'], outboxTransactionId: null })).resolves.toMatchObject({ redisApplied: false });
        if (s.outbox) {
          const effects = await s.outbox.commit(['projects'], 'user:2:status', 'late');
          await expect(s.postCommit.apply(effects)).resolves.toMatchObject({ redisApplied: false });
          await s.redisDown!(false);
          // The effects stayed owed: applying them once Redis is back still lands them.
          await expect(s.postCommit.apply(effects)).resolves.toMatchObject({ redisApplied: true });
          expect(await s.outbox.redisValue('user:2:status')).toBe('late');
        }
      });
    }
  });
}
