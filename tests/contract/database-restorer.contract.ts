import { randomBytes, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { DatabaseRestorer } from '../../src/application/ports/database-restorer.port';

export interface RestorerUnderTest {
  restorer: DatabaseRestorer;
  /** An archive of a database with `files` holding `fileIds` and `notes` holding three rows. */
  archive(fileIds: string[]): Promise<Readable>;
  drop(name: string): Promise<void>;
  close?(): Promise<void>;
}

/** Creating a database on the server, restoring an archive into it, and reading back what came. */
export function databaseRestorerContract(name: string, make: () => Promise<RestorerUnderTest>): void {
  describe(`${name} (DatabaseRestorer contract)`, () => {
    let world: RestorerUnderTest;
    const made: string[] = [];
    const fresh = () => {
      const db = `vb_restorer_${randomBytes(5).toString('hex')}`;
      made.push(db);
      return db;
    };
    beforeAll(async () => {
      world = await make();
    });
    afterAll(async () => {
      for (const db of made) await world.drop(db);
      await world.close?.();
    });

    it('creates a database that did not exist', async () => {
      const db = fresh();
      expect(await world.restorer.databaseExists(db)).toBe(false);
      await world.restorer.createDatabase(db);
      expect(await world.restorer.databaseExists(db)).toBe(true);
    });

    it('restores an archive into it: its tables, rows and files', async () => {
      const ids = [randomUUID(), randomUUID()];
      const db = fresh();
      await world.restorer.createDatabase(db);
      await world.restorer.restoreInto(db, await world.archive(ids));
      expect(await world.restorer.rowCounts(db)).toEqual(expect.objectContaining({ files: 2, notes: 3 }));
      const absent = randomUUID();
      expect([...(await world.restorer.existingFileIds(db, [ids[0]!, absent]))]).toEqual([ids[0]]);
      expect((await world.restorer.existingFileIds(db, [])).size).toBe(0);
    });

    it('restores over a database in use: rows added since are gone, removed ones are back; a broken archive changes nothing', async () => {
      const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
      const db = fresh();
      await world.restorer.createDatabase(db);
      await world.restorer.restoreInto(db, await world.archive([c]));
      await world.restorer.restoreOver(db, await world.archive([a, b]), 5_000);
      expect(await world.restorer.rowCounts(db)).toEqual(expect.objectContaining({ files: 2, notes: 3 }));
      expect([...(await world.restorer.existingFileIds(db, [a, b, c]))].sort()).toEqual([a, b].sort());

      const whole: Buffer[] = [];
      for await (const chunk of await world.archive([c])) whole.push(Buffer.from(chunk as Buffer));
      const bytes = Buffer.concat(whole);
      const cut = Readable.from([bytes.subarray(0, Math.floor(bytes.length * 0.9))]);
      await expect(world.restorer.restoreOver(db, cut, 5_000)).rejects.toThrow(/pg_restore/);
      expect([...(await world.restorer.existingFileIds(db, [a, b, c]))].sort()).toEqual([a, b].sort());
    });

    it('rejects what is not an archive', async () => {
      const db = fresh();
      await world.restorer.createDatabase(db);
      await expect(world.restorer.restoreInto(db, Readable.from([Buffer.from('not an archive at all')]))).rejects.toThrow(/pg_restore/);
    });
  });
}
