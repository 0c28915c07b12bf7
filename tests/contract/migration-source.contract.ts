import type { MigrationSource } from '../../src/application/ports/migration-source.port';
import { migrationFile } from '../support/migration-builders';

export interface MigrationFile {
  name: string;
  content: string;
}

export interface MigrationSourceHarness {
  source: MigrationSource;
  close(): Promise<void>;
}

export function migrationSourceContract(name: string, make: (files: MigrationFile[]) => Promise<MigrationSourceHarness>): void {
  describe(`MigrationSource contract: ${name}`, () => {
    const opened: MigrationSourceHarness[] = [];
    const open = async (files: MigrationFile[]) => {
      const h = await make(files);
      opened.push(h);
      return h.source;
    };
    afterEach(async () => {
      for (const h of opened.splice(0)) await h.close();
    });

    it('lists nothing when there are no scripts', async () => {
      expect(await (await open([])).list()).toEqual([]);
    });

    it('lists scripts in version order with their description and SQL', async () => {
      const source = await open([
        migrationFile('20240116_001', 'second', 'CREATE TABLE b (id INT);', 'Second'),
        migrationFile('20240115_002', 'first_b', 'CREATE TABLE a2 (id INT);', 'First, part two'),
        migrationFile('20240115_001', 'first', 'CREATE TABLE a (id INT);', 'First'),
      ]);
      const scripts = await source.list();
      expect(scripts.map((s) => [s.version, s.description])).toEqual([
        ['20240115_001', 'First'],
        ['20240115_002', 'First, part two'],
        ['20240116_001', 'Second'],
      ]);
      expect(scripts[0]!.sql).toContain('CREATE TABLE a (id INT);');
      expect(scripts[0]!.estimatedDurationMs).toBeGreaterThan(0);
    });

    it('gives the same checksum to the same text and another to changed text', async () => {
      const file = migrationFile('20240115_001', 'first', 'CREATE TABLE a (id INT);');
      const [same] = await (await open([file])).list();
      const [again] = await (await open([file])).list();
      const [changed] = await (await open([{ ...file, content: `${file.content}-- tweaked\n` }])).list();
      expect(again!.checksum).toBe(same!.checksum);
      expect(changed!.checksum).not.toBe(same!.checksum);
    });

    it('refuses two scripts with the same version', async () => {
      const source = await open([
        migrationFile('20240115_001', 'one', 'SELECT 1;'),
        migrationFile('20240115_001', 'other', 'SELECT 2;'),
      ]);
      await expect(source.list()).rejects.toThrow(/20240115_001/);
    });
  });
}
