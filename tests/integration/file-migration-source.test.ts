import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FileMigrationSource } from '../../src/adapters/file-system/file-migration-source';
import { migrationSourceContract, type MigrationFile } from '../contract/migration-source.contract';
import { migrationFile } from '../support/migration-builders';
import { SHIPPED_MIGRATIONS_DIR } from '../support/migrations-dir';

function folderWith(files: MigrationFile[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vb-source-'));
  for (const f of files) fs.writeFileSync(path.join(dir, f.name), f.content);
  return dir;
}

migrationSourceContract('migrations folder', async (files) => {
  const dir = folderWith(files);
  return { source: new FileMigrationSource(dir), close: async () => fs.rmSync(dir, { recursive: true, force: true }) };
});

describe('FileMigrationSource', () => {
  const dirs: string[] = [];
  const list = (files: MigrationFile[]) => {
    const dir = folderWith(files);
    dirs.push(dir);
    return new FileMigrationSource(dir).list();
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reads every shipped migration, each with a description', async () => {
    const scripts = await new FileMigrationSource(SHIPPED_MIGRATIONS_DIR).list();
    expect(scripts.length).toBeGreaterThanOrEqual(5);
    for (const s of scripts) {
      expect(s.version).toMatch(/^\d{8}_\d{3}$/);
      expect(s.description.length).toBeGreaterThan(0);
    }
  });

  it('ignores files that are not .sql', async () => {
    const scripts = await list([migrationFile('20240115_001', 'a', 'SELECT 1;'), { name: 'README.md', content: '# notes' }]);
    expect(scripts.map((s) => s.version)).toEqual(['20240115_001']);
  });

  it('refuses a .sql file whose name is not <version>_<slug>.sql', async () => {
    await expect(list([{ name: '2024_create_users.sql', content: '-- description: x\nSELECT 1;' }])).rejects.toThrow(/2024_create_users\.sql/);
  });

  it('refuses a script without a description header', async () => {
    await expect(list([{ name: '20240115_001_a.sql', content: 'SELECT 1;' }])).rejects.toThrow(/description/);
  });

  it('reads the optional estimated duration', async () => {
    const [script] = await list([{ name: '20240115_001_a.sql', content: '-- description: A\n-- estimated_duration_ms: 120000\nSELECT 1;' }]);
    expect(script!.estimatedDurationMs).toBe(120_000);
  });

  it('gives the same checksum whatever the line endings', async () => {
    const [lf] = await list([{ name: '20240115_001_a.sql', content: '-- description: A\nSELECT 1;\n' }]);
    const [crlf] = await list([{ name: '20240115_001_a.sql', content: '-- description: A\r\nSELECT 1;\r\n' }]);
    expect(crlf!.checksum).toBe(lf!.checksum);
  });

  it('refuses a script that manages its own transaction, but not a function body with BEGIN ... END', async () => {
    await expect(list([{ name: '20240115_001_a.sql', content: '-- description: A\nCREATE TABLE a (id INT);\nCOMMIT;\n' }])).rejects.toThrow(/transaction/);
    const body = '-- description: F\nCREATE FUNCTION f() RETURNS INT AS $$\nBEGIN\n  RETURN 1;\nEND;\n$$ LANGUAGE plpgsql;\n';
    await expect(list([{ name: '20240115_001_f.sql', content: body }])).resolves.toHaveLength(1);
  });
});
