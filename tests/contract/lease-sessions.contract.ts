import type { CommitEffects } from '../../src/application/ports/commit-effects.port';
import type { LeaseSessions } from '../../src/application/ports/lease-sessions.port';
import type { Caller } from '../../src/domain/auth/caller';
import { LeaseNotFound } from '../../src/domain/database/lease';

export interface LeaseSessionsUnderTest {
  leases: LeaseSessions;
  /** A live lease of `owner`, with no interactive transaction open on it. */
  connectionId: string;
  owner: Caller;
  /** Another user, who holds no lease. */
  stranger: Caller;
  /** Effects handed on to be applied (to PostCommit), in order. */
  applied(): CommitEffects[];
  close(): Promise<void>;
}

/**
 * What every LeaseSessions promises the queries and transactions that carry a connection_id: the
 * work runs on the lease's own session (its result or failure handed back as is), one call at a
 * time, only for the lease's owner; effects deferred outside an interactive transaction are applied
 * before the call answers.
 */
export function leaseSessionsContract(name: string, make: () => Promise<LeaseSessionsUnderTest>): void {
  describe(`${name} (LeaseSessions contract)`, () => {
    let s: LeaseSessionsUnderTest;
    beforeEach(async () => {
      s = await make();
    });
    afterEach(() => s.close());

    it("runs the work on the lease's session, the same one each call, and answers what the work returns", async () => {
      const first = await s.leases.use(s.connectionId, s.owner, async ({ session }) => session.id);
      const second = await s.leases.use(s.connectionId, s.owner, async ({ session }) => session.id);
      expect(first).toEqual(expect.any(String));
      expect(second).toBe(first);
    });

    it("refuses an unknown lease and someone else's with LeaseNotFound, running nothing", async () => {
      let ran = 0;
      const work = async () => void ran++;
      await expect(s.leases.use('no-such-lease', s.owner, work)).rejects.toBeInstanceOf(LeaseNotFound);
      await expect(s.leases.use(s.connectionId, s.stranger, work)).rejects.toBeInstanceOf(LeaseNotFound);
      expect(ran).toBe(0);
    });

    it('runs the calls on one lease one at a time, in arrival order', async () => {
      const events: string[] = [];
      const call = (name: string, ms: number) =>
        s.leases.use(s.connectionId, s.owner, async () => {
          events.push(`${name} start`);
          await new Promise((r) => setTimeout(r, ms));
          events.push(`${name} end`);
          return name;
        });
      await expect(Promise.all([call('a', 30), call('b', 1), call('c', 10)])).resolves.toEqual(['a', 'b', 'c']);
      expect(events).toEqual(['a start', 'a end', 'b start', 'b end', 'c start', 'c end']);
    });

    it('keeps serving the lease after a call fails', async () => {
      const failing = s.leases.use(s.connectionId, s.owner, async () => {
        throw new Error('statement failed');
      });
      await expect(failing).rejects.toThrow('statement failed');
      await expect(s.leases.use(s.connectionId, s.owner, async (leased) => leased.session.id)).resolves.toEqual(expect.any(String));
    });

    it('applies effects deferred outside an interactive transaction once the work settles', async () => {
      const seen = await s.leases.use(s.connectionId, s.owner, async (leased) => {
        leased.deferEffects({ tables: ['projects'], outboxTransactionId: 'tx9' });
        return s.applied().length;
      });
      expect(seen).toBe(0);
      expect(s.applied()).toEqual([{ tables: ['projects'], outboxTransactionId: 'tx9' }]);
    });
  });
}
