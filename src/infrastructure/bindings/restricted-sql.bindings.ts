import type { Logger } from '../../application/ports/logger.port';
import type { RestrictedSqlRunner } from '../../application/ports/restricted-sql-runner.port';
import type { SqlParser } from '../../application/ports/sql-parser.port';
import { RunRestrictedSql } from '../../application/database/restricted-sql/run-restricted-sql';
import { dbQueryRoutes } from '../../adapters/http/routes/db-query.routes';
import { PgRestrictedSqlRunner } from '../../adapters/postgres/pg-restricted-sql-runner';
import type { PgSqlDatabase } from '../../adapters/postgres/pg-sql-database';
import { LibpgQuerySqlParser } from '../../adapters/sql/libpg-query-sql-parser';
import type { Capability } from '../background-task';
import type { Bind } from '../binder';
import { TOKENS } from '../tokens';

/** Restricted SQL (`POST /api/v1/db/query`): PostgreSQL's parser and policy, then the reader role's read-only transaction. */
export function bindRestrictedSql(bind: Bind): void {
  bind(TOKENS.SqlParser, (): SqlParser => new LibpgQuerySqlParser(), []);
  bind(TOKENS.RestrictedSqlRunner, (db: PgSqlDatabase): RestrictedSqlRunner => new PgRestrictedSqlRunner(db), [TOKENS.PgSqlDatabase]);
  bind(
    TOKENS.RunRestrictedSql,
    (parser: SqlParser, runner: RestrictedSqlRunner, logger: Logger) => new RunRestrictedSql(parser, runner, logger),
    [TOKENS.SqlParser, TOKENS.RestrictedSqlRunner, TOKENS.Logger],
  );
  bind(
    TOKENS.RestrictedSqlModule,
    (runRestrictedSql: RunRestrictedSql): Capability => ({
      mountRoutes(routes) {
        dbQueryRoutes(routes, { runRestrictedSql });
      },
      tasks: [],
    }),
    [TOKENS.RunRestrictedSql],
  );
}
