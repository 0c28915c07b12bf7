import fs from 'node:fs';
import path from 'node:path';
import { READABLE_TABLES, READER_ROLE, readerGrantStatements } from '../../src/domain/database/restricted-sql/reader-role';
import { INTERNAL_TABLES, SECRET_COLUMNS } from '../../src/domain/database/table-policy';

const migration = fs.readFileSync(path.join(__dirname, '../../migrations/20240126_001_sql_reader_role.sql'), 'utf8');
const arrayIn = (name: string) => [...new RegExp(`${name} CONSTANT TEXT\\[\\] := ARRAY\\[([^\\]]*)\\]`).exec(migration)![1]!.matchAll(/'([a-z_]+)'/g)].map((m) => m[1]);

describe('the restricted-SQL reader role', () => {
  it('is granted, by its migration, exactly the tables and secret exclusions the code names', () => {
    expect(arrayIn('readable')).toEqual([...READABLE_TABLES]);
    // Secret columns added by later migrations were never granted (grants are per column, made by this
    // migration for the columns that existed then), so they need no exclusion here.
    const addedLater = ['encryption_wrapped_key'];
    expect(arrayIn('secret').sort()).toEqual([...SECRET_COLUMNS].filter((c) => !addedLater.includes(c)).sort());
    expect(migration).toContain(READER_ROLE);
  });

  it('never reads the service\'s own tables', () => {
    for (const table of [...INTERNAL_TABLES, 'upload_sessions', 'cdn_purge_requests', 'db_backups', 'db_backup_files', 'db_backup_tombstones']) {
      expect(READABLE_TABLES).not.toContain(table);
    }
  });

  it('gives an operator the statements to create and grant it, column by column without secrets', () => {
    const statements = readerGrantStatements('svc "user"', [
      { table: 'users', columns: ['id', 'email', 'password_hash'] },
      { table: 'files', columns: ['id', 'encryption_key_id', 'Odd"Name'] },
    ]);
    expect(statements).toEqual([
      'CREATE ROLE vb_sql_reader NOLOGIN;',
      'GRANT vb_sql_reader TO "svc ""user""";',
      'GRANT USAGE ON SCHEMA public TO vb_sql_reader;',
      'GRANT SELECT ("id", "email") ON public."users" TO vb_sql_reader;',
      'GRANT SELECT ("id", "Odd""Name") ON public."files" TO vb_sql_reader;',
    ]);
  });
});
