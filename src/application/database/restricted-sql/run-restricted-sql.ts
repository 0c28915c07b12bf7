import { checkRestrictedSql } from '../../../domain/database/restricted-sql/restricted-sql-policy';
import { ValidationFailed } from '../../../domain/shared/errors';
import type { Logger } from '../../ports/logger.port';
import type { RestrictedSqlResult, RestrictedSqlRunner } from '../../ports/restricted-sql-runner.port';
import type { SqlParser } from '../../ports/sql-parser.port';

/** Enough to recognise any statement a person writes, without one call filling the log. */
const LOGGED_SQL_CHARS = 4_000;

export interface RestrictedSqlInput {
  sql: string;
  params: readonly unknown[];
  maxRows: number;
  timeoutMs: number;
  /** Who asked: logged with the statement. */
  callerId: string;
}

export interface RestrictedSqlAnswer extends RestrictedSqlResult {
  executionTimeMs: number;
}

/**
 * `POST /db/query`: the policy over PostgreSQL's own parse of the text (layer 1), then the runner's
 * read-only transaction as the reader role (layers 2 and 3). Every call is logged with its SQL and
 * caller, never its params (they may hold personal data), whether it ran or was refused.
 */
export class RunRestrictedSql {
  constructor(
    private readonly parser: SqlParser,
    private readonly runner: RestrictedSqlRunner,
    private readonly logger: Logger,
  ) {}

  async execute(input: RestrictedSqlInput): Promise<RestrictedSqlAnswer> {
    const started = performance.now();
    const audit = { sql: input.sql.length > LOGGED_SQL_CHARS ? `${input.sql.slice(0, LOGGED_SQL_CHARS)}…` : input.sql, user_id: input.callerId, params_count: input.params.length };
    try {
      const allowed = checkRestrictedSql(await this.parser.parse(input.sql));
      if (allowed.paramCount !== input.params.length) {
        throw new ValidationFailed(`The statement references ${allowed.paramCount} parameter(s) ($1…) but ${input.params.length} were sent`, [
          { path: 'params', message: `expected ${allowed.paramCount} value(s)` },
        ]);
      }
      const result = await this.runner.run({ sql: input.sql, params: input.params, maxRows: input.maxRows, timeoutMs: input.timeoutMs, kind: allowed.kind });
      const executionTimeMs = Math.round(performance.now() - started);
      this.logger.info({ ...audit, row_count: result.rows.length, truncated: result.truncated, duration_ms: executionTimeMs }, 'restricted SQL ran');
      return { ...result, executionTimeMs };
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      this.logger.info({ ...audit, refused: typeof code === 'string' ? code : 'INTERNAL_ERROR', duration_ms: Math.round(performance.now() - started) }, 'restricted SQL refused');
      throw error;
    }
  }
}
