import type { DatabaseSession } from '../../src/application/ports/database-session.port';
import { TransactionAborted } from '../../src/domain/shared/errors';

/** Rows a session writes and anyone outside it can count: how commit and rollback are seen. */
export interface SessionRows {
  insert(session: DatabaseSession): Promise<void>;
  /** Rows committed so far, as another connection sees them. */
  count(): Promise<number>;
}

export interface DatabaseSessionUnderTest {
  open(): Promise<DatabaseSession>;
  /** Where the adapter holds rows. */
  rows?: SessionRows;
  /** Where the adapter runs statements: makes one fail inside the session's open transaction. */
  failAStatement?(session: DatabaseSession): Promise<void>;
  close(): Promise<void>;
}

export interface DatabaseSessionFeatures {
  rows: boolean;
  failingStatements: boolean;
}

/**
 * What every DatabaseSession promises the lease and transaction use cases: the transaction state it
 * reports is the one the connection is in, commit keeps and rollback (or release) drops what was
 * written, and a commit after a failed statement is reported as TransactionAborted.
 */
export function databaseSessionContract(name: string, make: () => Promise<DatabaseSessionUnderTest>, features: DatabaseSessionFeatures): void {
  describe(`${name} (DatabaseSession contract)`, () => {
    let s: DatabaseSessionUnderTest;
    const opened: DatabaseSession[] = [];
    beforeEach(async () => {
      s = await make();
    });
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((session) => session.release()));
      await s.close();
    });
    const open = async () => {
      const session = await s.open();
      opened.push(session);
      return session;
    };

    it('names each session apart, none in a transaction at first', async () => {
      const [a, b] = [await open(), await open()];
      expect(a.id).toEqual(expect.any(String));
      expect(a.id).not.toBe(b.id);
      expect(a.inTransaction).toBe(false);
    });

    it('tracks the transaction: begin, then commit or rollback; release rolls back an open one', async () => {
      const session = await open();
      expect(session.inTransaction).toBe(false);
      await session.begin();
      expect(session.inTransaction).toBe(true);
      await session.commit();
      expect(session.inTransaction).toBe(false);
      await session.begin();
      await session.rollback();
      expect(session.inTransaction).toBe(false);
      await session.begin();
      await session.release();
      expect(session.inTransaction).toBe(false);
      // Releasing twice is harmless.
      await session.release();
    });

    if (features.rows) {
      it('keeps what a committed transaction wrote, and drops what a rolled back or released one did', async () => {
        const rows = s.rows!;
        const before = await rows.count();
        const session = await open();
        await session.begin();
        await rows.insert(session);
        await session.commit();
        expect(await rows.count()).toBe(before + 1);

        await session.begin();
        await rows.insert(session);
        await session.rollback();
        expect(await rows.count()).toBe(before + 1);

        await session.begin();
        await rows.insert(session);
        await session.release();
        expect(await rows.count()).toBe(before + 1);
      });
    }

    if (features.failingStatements) {
      it('reports a commit after a failed statement as TransactionAborted, keeping nothing', async () => {
        const rows = s.rows;
        const before = rows ? await rows.count() : 0;
        const session = await open();
        await session.begin();
        if (rows) await rows.insert(session);
        await s.failAStatement!(session);
        await expect(session.commit()).rejects.toBeInstanceOf(TransactionAborted);
        expect(session.inTransaction).toBe(false);
        if (rows) expect(await rows.count()).toBe(before);
        // The connection is usable again.
        await session.begin();
        await session.commit();
      });
    }
  });
}
