import { normalizeSql, statementShape } from '../../src/adapters/postgres/sql-normalizer';

describe('normalizeSql', () => {
  it('replaces string literals, quotes inside them included', () => {
    expect(normalizeSql("SELECT * FROM users WHERE email = 'o''brien@example.com' AND name = 'x'")).toBe('SELECT * FROM users WHERE email = ? AND name = ?');
  });

  it('replaces escape, bit, hex, national and unicode strings with their prefix', () => {
    expect(normalizeSql("SELECT E'it\\'s secret', B'1010', X'1F', N'abc', U&'d\\0061t\\+000061'")).toBe('SELECT ?, ?, ?, ?, ?');
  });

  it('does not take a word ending in a prefix letter for a prefix', () => {
    expect(normalizeSql("SELECT name FROM t WHERE type='secret'")).toBe('SELECT name FROM t WHERE type=?');
  });

  it('replaces numbers but not digits inside identifiers, and keeps $n placeholders', () => {
    expect(normalizeSql('SELECT col1, t2.x FROM t2 WHERE a = 42 AND b > -3.5e10 AND c = $1 LIMIT 10 OFFSET $2')).toBe(
      'SELECT col1, t2.x FROM t2 WHERE a = ? AND b > -? AND c = $1 LIMIT ? OFFSET $2',
    );
    expect(normalizeSql('SELECT .5, 0x1F, 1_000')).toBe('SELECT ?, ?, ?');
  });

  it('collapses IN lists, ARRAY literals and multi-row VALUES', () => {
    expect(normalizeSql('SELECT * FROM t WHERE id IN (1, 2, 3) OR id IN ($1,$2)')).toBe('SELECT * FROM t WHERE id IN (?) OR id IN (?)');
    expect(normalizeSql('SELECT ARRAY[1,2,3]')).toBe('SELECT ARRAY[?]');
    expect(normalizeSql("INSERT INTO t (a, b) VALUES (1, 'x'), (2, 'y'), (3, 'z')")).toBe('INSERT INTO t (a, b) VALUES (?, ?), ...');
  });

  it('replaces dollar-quoted strings, tagged or not, whatever they hold', () => {
    expect(normalizeSql("SELECT $$it's 'quoted' 42$$, $tag$ secret $$ still $tag$ FROM t")).toBe('SELECT ?, ? FROM t');
  });

  it('swallows an unterminated literal rather than leak its tail', () => {
    expect(normalizeSql("SELECT 'never closed password")).toBe('SELECT ?');
    expect(normalizeSql('SELECT $x$ never closed')).toBe('SELECT ?');
  });

  it('drops line and (nested) block comments, which may hold anything', () => {
    expect(normalizeSql("SELECT 1 -- password 'hunter2'\nFROM t /* outer /* inner 'x' */ still comment */ WHERE a = 1")).toBe('SELECT ? FROM t WHERE a = ?');
  });

  it('keeps quoted identifiers as they are, digits and quotes included', () => {
    expect(normalizeSql('SELECT "Col 1", "a""b" FROM "Table2" WHERE "x" = 1')).toBe('SELECT "Col 1", "a""b" FROM "Table2" WHERE "x" = ?');
  });

  it('folds whitespace and bounds the length', () => {
    expect(normalizeSql('  SELECT\n\t a ,\r\n b   FROM t  ')).toBe('SELECT a , b FROM t');
    expect(normalizeSql(`SELECT ${'a, '.repeat(1000)}b`, 50)).toHaveLength(51);
  });

  it('keeps casts and operators', () => {
    expect(normalizeSql("SELECT '2024-01-01'::date, x::int4 FROM t WHERE j->>'k' = 'v'")).toBe('SELECT ?::date, x::int4 FROM t WHERE j->>? = ?');
  });
});

describe('statementShape', () => {
  it.each([
    ['SELECT * FROM files WHERE id = $1', 'select', 'files'],
    ['select * from Public.Files f join x on true', 'select', 'public.files'],
    ['SELECT * FROM "Mixed"."Case"', 'select', 'Mixed.Case'],
    ['SELECT pg_sleep(?)', 'select', 'none'],
    ['SELECT * FROM (SELECT 1) s', 'select', 'unknown'],
    ['SELECT (SELECT max(a) FROM inner_t) FROM outer_t', 'select', 'outer_t'],
    ['INSERT INTO outbox (a) VALUES ($1)', 'insert', 'outbox'],
    ['UPDATE ONLY leases SET x = $1', 'update', 'leases'],
    ['DELETE FROM files WHERE id = $1', 'delete', 'files'],
    ['WITH moved AS (DELETE FROM a RETURNING *) INSERT INTO b SELECT * FROM moved', 'insert', 'b'],
    ['WITH r AS (SELECT 1) SELECT * FROM r', 'select', 'r'],
    ['BEGIN', 'other', 'unknown'],
    ['CREATE TABLE t (a int)', 'other', 'unknown'],
  ])('%s → %s on %s', (sql, kind, table) => {
    expect(statementShape(sql)).toEqual({ kind, table });
  });
});
