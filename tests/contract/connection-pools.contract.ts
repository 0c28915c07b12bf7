import type { ConnectionPools } from '../../src/application/ports/connection-pools.port';
import type { DatabaseSession } from '../../src/application/ports/database-session.port';
import { PoolExhausted } from '../../src/domain/shared/errors';

export interface ConnectionPoolsUnderTest {
  pools: ConnectionPools;
  /** Clients the write pool holds at most. */
  max: number;
  close(): Promise<void>;
}

/**
 * What every ConnectionPools promises, the pg pools or the unit tests' fake, so the lease use cases'
 * unit tests over the fake say something about production. `make` gives pools with nothing leased.
 * The sessions they hand out are held to the DatabaseSession contract on their own.
 */
export function connectionPoolsContract(name: string, make: () => Promise<ConnectionPoolsUnderTest>): void {
  describe(`${name} (ConnectionPools contract)`, () => {
    let s: ConnectionPoolsUnderTest;
    const opened: DatabaseSession[] = [];
    beforeEach(async () => {
      s = await make();
    });
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((session) => session.release()));
      await s.close();
    });
    const open = async (operation: 'read' | 'write' = 'write') => {
      const session = await s.pools.openSession(operation);
      opened.push(session);
      return session;
    };

    it('hands out a distinct session per call, counted active until released', async () => {
      const a = await open();
      const b = await open('read');
      expect(a.id).not.toBe(b.id);
      expect(s.pools.stats('write').active).toBeGreaterThanOrEqual(1);
      const before = s.pools.stats('write').active;
      await a.release();
      expect(s.pools.stats('write').active).toBe(before - 1);
      expect(s.pools.stats('write')).toMatchObject({ waiting: 0, max: s.max });
    });

    it('fails with PoolExhausted, naming the pool status and a retry delay, once every client is out', async () => {
      for (let i = 0; i < s.max; i++) await open();
      const error = await s.pools.openSession('write').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PoolExhausted);
      expect(error).toMatchObject({ code: 'DATABASE_CONNECTION_FAILED', details: { pool_status: 'exhausted', retry_after: expect.any(Number) } });
    });

    it('hands a released client to the next caller', async () => {
      for (let i = 0; i < s.max; i++) await open();
      await opened.pop()!.release();
      await expect(open()).resolves.toBeDefined();
    });

    it('publishes URLs without a password', () => {
      for (const operation of ['read', 'write'] as const) {
        const url = new URL(s.pools.publicUrl(operation));
        expect(url.password).toBe('');
        expect(url.protocol).toMatch(/^postgres(ql)?:$/);
      }
    });
  });
}
