import { DomainError } from '../../shared/domain-error';

/** The statement parsed, but the policy refuses what it contains (`found` names it). */
export class SqlNotAllowed extends DomainError {
  readonly code = 'SQL_NOT_ALLOWED';
  constructor(
    readonly found: string,
    reason: string,
  ) {
    super(`${found} is not allowed: ${reason}`, { found, reason });
  }
}

/** PostgreSQL's parser refused the text; `position` is 1-based, in characters, as psql reports it. */
export class SqlSyntaxError extends DomainError {
  readonly code = 'SQL_SYNTAX_ERROR';
  constructor(message: string, position: number | null) {
    super(message, { position });
  }
}

/** The reader role may not read that table or column (a secret column, an internal table). */
export class SqlPermissionDenied extends DomainError {
  readonly code = 'SQL_PERMISSION_DENIED';
  constructor(message: string) {
    super(message, { role: 'vb_sql_reader' });
  }
}

/** The statement ran and PostgreSQL refused it (unknown column, bad cast, division by zero…). */
export class SqlExecutionFailed extends DomainError {
  readonly code = 'SQL_EXECUTION_ERROR';
  constructor(message: string, sqlstate: string, position: number | null) {
    super(message, { sqlstate, position });
  }
}

/** The statement ran past its `timeout_ms` and was cancelled. */
export class QueryTimeout extends DomainError {
  readonly code = 'QUERY_TIMEOUT';
  constructor(timeoutMs: number) {
    super(`The query ran longer than ${timeoutMs} ms and was cancelled`, { timeout_ms: timeoutMs });
  }
}

/**
 * The least-privilege role is missing, or the service's user may not switch to it (the migration
 * could not create it: a managed server). `statements` is what an operator runs to fix it.
 */
export class SqlRoleUnavailable extends DomainError {
  readonly code = 'SQL_ROLE_UNAVAILABLE';
  constructor(role: string, statements: readonly string[]) {
    super(`Restricted SQL needs the role ${role}, which this database user cannot use; an operator must run the statements in details`, {
      role,
      statements,
    });
  }
}
