import type { DatabaseSession } from '../../src/application/ports/database-session.port';
import type { SessionSource } from '../../src/application/ports/session-source.port';
import { PoolExhausted } from '../../src/domain/shared/errors';

export interface SessionSourceUnderTest {
  source: SessionSource;
  close(): Promise<void>;
}

export interface SessionSourceOptions {
  /** Sessions the source hands out at once, where it has a bound (a pool). */
  max?: number;
}

/**
 * What every SessionSource promises a one-request transaction: a session of its own, each with its
 * own transaction, and, for a bounded pool, PoolExhausted once every connection is out (then the
 * next released one for the next caller). `make` gives a source with nothing opened.
 */
export function sessionSourceContract(name: string, make: () => Promise<SessionSourceUnderTest>, options: SessionSourceOptions = {}): void {
  describe(`${name} (SessionSource contract)`, () => {
    let s: SessionSourceUnderTest;
    const opened: DatabaseSession[] = [];
    beforeEach(async () => {
      s = await make();
    });
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((session) => session.release()));
      await s.close();
    });
    const open = async () => {
      const session = await s.source.openSession();
      opened.push(session);
      return session;
    };

    it('opens a session of its own per call, with a transaction of its own', async () => {
      const a = await open();
      const b = await open();
      expect(a.id).not.toBe(b.id);
      expect([a.inTransaction, b.inTransaction]).toEqual([false, false]);
      await a.begin();
      expect([a.inTransaction, b.inTransaction]).toEqual([true, false]);
      await b.begin();
      await a.rollback();
      expect([a.inTransaction, b.inTransaction]).toEqual([false, true]);
      await b.commit();
    });

    const max = options.max;
    if (max !== undefined) {
      it('fails with PoolExhausted once every connection is out, then hands a released one to the next caller', async () => {
        for (let i = 0; i < max; i++) await open();
        const error = await s.source.openSession().catch((e: unknown) => e);
        expect(error).toBeInstanceOf(PoolExhausted);
        await opened.pop()!.release();
        const next = await open();
        expect(next.inTransaction).toBe(false);
      });
    }
  });
}
