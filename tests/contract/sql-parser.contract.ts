import type { SqlParser } from '../../src/application/ports/sql-parser.port';
import { SqlSyntaxError } from '../../src/domain/database/restricted-sql/errors';
import { isNode, nameParts, walk, type SqlNode } from '../../src/domain/database/restricted-sql/sql-tree';

async function syntaxError(parser: SqlParser, sql: string): Promise<SqlSyntaxError> {
  const error = await parser.parse(sql).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SqlSyntaxError);
  return error as SqlSyntaxError;
}

const kinds = (node: SqlNode) => [...walk(node)].map((n) => n.kind);

/**
 * What the restricted-SQL policy relies on from a parser: PostgreSQL's node kinds and field names,
 * one tree per statement, and syntax errors with PostgreSQL's 1-based character position.
 */
export function sqlParserContract(name: string, make: () => SqlParser): void {
  describe(`${name} (SqlParser contract)`, () => {
    it('gives one tree per statement, with PostgreSQL node kinds', async () => {
      const statements = await make().parse('SELECT 1; DELETE FROM users; SET ROLE x');
      expect(statements.map((s) => s.kind)).toEqual(['SelectStmt', 'DeleteStmt', 'VariableSetStmt']);
    });

    it('gives no statement for a text of only comments or blanks', async () => {
      await expect(make().parse('  -- nothing\n/* here */ ')).resolves.toEqual([]);
      await expect(make().parse('   ')).resolves.toEqual([]);
    });

    it('keeps function names with their schema, and $n parameters', async () => {
      const [select] = await make().parse('SELECT pg_catalog.lower($1), count(*) FROM t WHERE a = $2');
      const nodes = [...walk(select!)];
      expect(nodes.filter((n) => n.kind === 'FuncCall').map((n) => nameParts(n.fields.funcname))).toEqual([['pg_catalog', 'lower'], ['count']]);
      expect(nodes.filter((n) => n.kind === 'ParamRef').map((n) => n.fields.number)).toEqual([1, 2]);
    });

    it('reaches into CTEs, subqueries and window definitions', async () => {
      const [select] = await make().parse('WITH x AS (DELETE FROM t RETURNING *) SELECT (SELECT pg_sleep(1)), rank() OVER (ORDER BY f()) FROM x FOR UPDATE');
      expect(kinds(select!)).toEqual(expect.arrayContaining(['SelectStmt', 'DeleteStmt', 'FuncCall', 'SubLink']));
      const funcs = [...walk(select!)].filter((n) => n.kind === 'FuncCall').map((n) => nameParts(n.fields.funcname).join('.'));
      expect(funcs.sort()).toEqual(['f', 'pg_sleep', 'rank']);
      expect(Array.isArray(select!.fields.lockingClause)).toBe(true);
    });

    it('shows SELECT … INTO and EXPLAIN options as fields', async () => {
      const [into] = await make().parse('SELECT * INTO t2 FROM t');
      expect(isNode(into!.fields.intoClause)).toBe(true);
      const [explain] = await make().parse('EXPLAIN (ANALYZE) SELECT 1');
      expect(explain!.kind).toBe('ExplainStmt');
      expect(isNode(explain!.fields.query) && explain!.fields.query.kind).toBe('SelectStmt');
      const options = explain!.fields.options as SqlNode[];
      expect(options.map((o) => o.fields.defname)).toEqual(['analyze']);
    });

    it('parses PostgreSQL 15-17 syntax (MERGE, JSON_OBJECT, SQL/JSON IS JSON)', async () => {
      const statements = await make().parse(
        "MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE; SELECT JSON_OBJECT('a': 1); SELECT '{}' IS JSON OBJECT",
      );
      expect(statements.map((s) => s.kind)).toEqual(['MergeStmt', 'SelectStmt', 'SelectStmt']);
    });

    it('refuses bad syntax with the 1-based character position of the offending token', async () => {
      const error = await syntaxError(make(), 'SELECT FROM WHERE x');
      expect(error.message).toMatch(/syntax error at or near "WHERE"/);
      expect(error.details.position).toBe(13);
    });

    it('counts the position in characters, not bytes', async () => {
      const error = await syntaxError(make(), "SELECT 'ééé' FROM WHERE x");
      expect(error.details.position).toBe(19);
    });

    it('places an error at the end of the input after its last character', async () => {
      const error = await syntaxError(make(), 'SELECT 1 FROM');
      expect(error.message).toMatch(/end of input/);
      expect(error.details.position).toBe(14);
    });
  });
}
