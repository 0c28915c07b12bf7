import { LibpgQuerySqlParser } from '../../src/adapters/sql/libpg-query-sql-parser';
import type { RestrictedSqlRequest, RestrictedSqlResult, RestrictedSqlRunner } from '../../src/application/ports/restricted-sql-runner.port';
import { RunRestrictedSql } from '../../src/application/database/restricted-sql/run-restricted-sql';
import { SqlNotAllowed, SqlSyntaxError } from '../../src/domain/database/restricted-sql/errors';
import { ValidationFailed } from '../../src/domain/shared/errors';
import { RecordingLogger } from '../support/recording-logger';

class RecordingRunner implements RestrictedSqlRunner {
  readonly requests: RestrictedSqlRequest[] = [];
  async run(request: RestrictedSqlRequest): Promise<RestrictedSqlResult> {
    this.requests.push(request);
    return { columns: [{ name: 'n', type: 'integer' }], rows: [[1]], truncated: false };
  }
}

function world() {
  const runner = new RecordingRunner();
  const logger = new RecordingLogger();
  const useCase = new RunRestrictedSql(new LibpgQuerySqlParser(), runner, logger);
  const input = (sql: string, params: unknown[] = []) => ({ sql, params, maxRows: 10, timeoutMs: 1_000, callerId: 'admin-1' });
  return { runner, logger, useCase, input };
}

describe('RunRestrictedSql', () => {
  it('runs what the policy allows, telling the runner whether it is an EXPLAIN, and logs the SQL with its caller', async () => {
    const { runner, logger, useCase, input } = world();
    const answer = await useCase.execute(input('EXPLAIN SELECT $1::int', [7]));
    expect(answer).toMatchObject({ rows: [[1]], truncated: false, executionTimeMs: expect.any(Number) });
    expect(runner.requests).toEqual([{ sql: 'EXPLAIN SELECT $1::int', params: [7], maxRows: 10, timeoutMs: 1_000, kind: 'explain' }]);
    expect(logger.entries).toEqual([
      { level: 'info', msg: 'restricted SQL ran', obj: expect.objectContaining({ sql: 'EXPLAIN SELECT $1::int', user_id: 'admin-1', params_count: 1 }) },
    ]);
    expect(JSON.stringify(logger.entries)).not.toContain('"params":');
  });

  it.each([
    ['a refused statement', 'DELETE FROM users', [], SqlNotAllowed],
    ['a syntax error', 'SELEC 1', [], SqlSyntaxError],
    ['too few params', 'SELECT $1, $2', [1], ValidationFailed],
    ['too many params', 'SELECT 1', [1], ValidationFailed],
  ])('never reaches the database for %s, and logs the refusal', async (_, sql, params, type) => {
    const { runner, logger, useCase, input } = world();
    await expect(useCase.execute(input(sql, params))).rejects.toBeInstanceOf(type);
    expect(runner.requests).toEqual([]);
    expect(logger.entries).toEqual([{ level: 'info', msg: 'restricted SQL refused', obj: expect.objectContaining({ sql, user_id: 'admin-1' }) }]);
  });

  it('keeps long statements out of the log past a bound', async () => {
    const { logger, useCase, input } = world();
    await useCase.execute(input(`SELECT 1 ${'-- padding\n'.repeat(1_000)}`));
    expect(String((logger.entries[0]!.obj as { sql: string }).sql).length).toBeLessThanOrEqual(4_001);
  });
});
