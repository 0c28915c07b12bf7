import { ALLOWED_FUNCTIONS } from './allowed-functions';
import { SqlNotAllowed } from './errors';
import { isNode, nameParts, walk, type SqlNode, type SqlValue } from './sql-tree';

/** What the policy lets through: a query to run under a cursor, or an EXPLAIN (no ANALYZE) to run as is. */
export interface AllowedStatement {
  kind: 'select' | 'explain';
  /** The highest `$n` the statement references: the number of params it needs. */
  paramCount: number;
}

const STATEMENT_NAMES: Record<string, string> = {
  InsertStmt: 'INSERT', UpdateStmt: 'UPDATE', DeleteStmt: 'DELETE', MergeStmt: 'MERGE',
  CreateStmt: 'CREATE TABLE', CreateTableAsStmt: 'CREATE TABLE AS', ViewStmt: 'CREATE VIEW', IndexStmt: 'CREATE INDEX',
  CreateFunctionStmt: 'CREATE FUNCTION', CreateRoleStmt: 'CREATE ROLE', CreateSchemaStmt: 'CREATE SCHEMA', CreateExtensionStmt: 'CREATE EXTENSION',
  AlterTableStmt: 'ALTER TABLE', AlterRoleStmt: 'ALTER ROLE', DropStmt: 'DROP', DropRoleStmt: 'DROP ROLE', TruncateStmt: 'TRUNCATE',
  RenameStmt: 'ALTER … RENAME', GrantStmt: 'GRANT/REVOKE', GrantRoleStmt: 'GRANT/REVOKE role',
  VariableSetStmt: 'SET', VariableShowStmt: 'SHOW', CopyStmt: 'COPY', DoStmt: 'DO', CallStmt: 'CALL',
  LockStmt: 'LOCK', VacuumStmt: 'VACUUM/ANALYZE', ReindexStmt: 'REINDEX', ClusterStmt: 'CLUSTER', CheckPointStmt: 'CHECKPOINT',
  ListenStmt: 'LISTEN', NotifyStmt: 'NOTIFY', UnlistenStmt: 'UNLISTEN', PrepareStmt: 'PREPARE', ExecuteStmt: 'EXECUTE',
  DeallocateStmt: 'DEALLOCATE', DeclareCursorStmt: 'DECLARE CURSOR', FetchStmt: 'FETCH', ClosePortalStmt: 'CLOSE',
  DiscardStmt: 'DISCARD', LoadStmt: 'LOAD', RefreshMatViewStmt: 'REFRESH MATERIALIZED VIEW', CommentStmt: 'COMMENT', SecLabelStmt: 'SECURITY LABEL',
};

const TRANSACTION_KINDS: Record<string, string> = {
  TRANS_STMT_BEGIN: 'BEGIN', TRANS_STMT_START: 'START TRANSACTION', TRANS_STMT_COMMIT: 'COMMIT', TRANS_STMT_ROLLBACK: 'ROLLBACK',
  TRANS_STMT_SAVEPOINT: 'SAVEPOINT', TRANS_STMT_RELEASE: 'RELEASE', TRANS_STMT_ROLLBACK_TO: 'ROLLBACK TO',
  TRANS_STMT_PREPARE: 'PREPARE TRANSACTION', TRANS_STMT_COMMIT_PREPARED: 'COMMIT PREPARED', TRANS_STMT_ROLLBACK_PREPARED: 'ROLLBACK PREPARED',
};

const LOCK_STRENGTHS: Record<string, string> = {
  LCS_FORUPDATE: 'FOR UPDATE', LCS_FORNOKEYUPDATE: 'FOR NO KEY UPDATE', LCS_FORSHARE: 'FOR SHARE', LCS_FORKEYSHARE: 'FOR KEY SHARE',
};

/**
 * The first line of defence of `POST /db/query`: exactly one statement, a SELECT (a WITH of
 * selects included) or an EXPLAIN of one without ANALYZE (ANALYZE runs the query, and "only read"
 * is then the second line's promise alone), and no call outside ALLOWED_FUNCTIONS anywhere in it.
 * Throws SqlNotAllowed naming the first construct refused.
 */
export function checkRestrictedSql(statements: readonly SqlNode[]): AllowedStatement {
  if (statements.length !== 1) {
    throw new SqlNotAllowed(`${statements.length} statements`, 'send exactly one statement');
  }
  const statement = statements[0]!;
  const kind = topLevelKind(statement);
  let paramCount = 0;
  for (const node of walk(statement)) {
    checkNode(node, node === statement);
    if (node.kind === 'ParamRef' && typeof node.fields.number === 'number') paramCount = Math.max(paramCount, node.fields.number);
  }
  return { kind, paramCount };
}

function topLevelKind(statement: SqlNode): AllowedStatement['kind'] {
  if (statement.kind === 'SelectStmt') return 'select';
  if (statement.kind !== 'ExplainStmt') throw new SqlNotAllowed(statementName(statement), 'only SELECT (and WITH of selects, EXPLAIN of a select) may run');
  const query = statement.fields.query;
  if (!isNode(query) || query.kind !== 'SelectStmt') {
    throw new SqlNotAllowed(`EXPLAIN ${isNode(query) ? statementName(query) : ''}`.trim(), 'only a SELECT may be explained');
  }
  const options = Array.isArray(statement.fields.options) ? (statement.fields.options as readonly SqlValue[]) : [];
  for (const option of options) {
    if (isNode(option) && option.fields.defname === 'analyze' && !isFalse(option.fields.arg)) {
      throw new SqlNotAllowed('EXPLAIN ANALYZE', 'it executes the statement; use EXPLAIN without ANALYZE');
    }
  }
  return 'explain';
}

function checkNode(node: SqlNode, isTopLevel: boolean): void {
  if (node.kind === 'FuncCall') return checkFunction(node);
  if (['InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt'].includes(node.kind)) {
    throw new SqlNotAllowed(`data-modifying WITH (${STATEMENT_NAMES[node.kind]})`, 'a restricted query only reads');
  }
  if (node.kind === 'SelectStmt') {
    if (node.fields.intoClause) throw new SqlNotAllowed('SELECT … INTO', 'it creates a table');
    const locking = node.fields.lockingClause;
    if (Array.isArray(locking) && locking.length > 0) {
      const first = locking[0] as SqlValue;
      const strength = isNode(first) ? String(first.fields.strength ?? '') : '';
      throw new SqlNotAllowed(`locking clause ${LOCK_STRENGTHS[strength] ?? 'FOR UPDATE/SHARE'}`, 'a restricted query takes no row locks');
    }
    return;
  }
  if (!isTopLevel && node.kind.endsWith('Stmt')) throw new SqlNotAllowed(statementName(node), 'only SELECT may run');
}

function checkFunction(call: SqlNode): void {
  const parts = nameParts(call.fields.funcname).map((p) => p.toLowerCase());
  const name = parts.at(-1) ?? '';
  const schema = parts.length > 1 ? parts.slice(0, -1).join('.') : null;
  const shown = parts.join('.');
  if (schema !== null && schema !== 'pg_catalog') throw new SqlNotAllowed(`function ${shown}`, 'only built-in functions (pg_catalog) may be called');
  if (!ALLOWED_FUNCTIONS.has(name)) throw new SqlNotAllowed(`function ${shown}`, 'it is not on the allow-list of read-only functions');
}

function statementName(node: SqlNode): string {
  if (node.kind === 'TransactionStmt') return `transaction control (${TRANSACTION_KINDS[String(node.fields.kind)] ?? 'transaction statement'})`;
  return STATEMENT_NAMES[node.kind] ?? `${node.kind.replace(/Stmt$/, '')} statement`;
}

/** `EXPLAIN (ANALYZE false)` / `(ANALYZE off)` / `(ANALYZE 0)`: an option explicitly turned off. */
function isFalse(arg: SqlValue | undefined): boolean {
  if (!isNode(arg)) return false;
  if (arg.kind === 'Boolean') return arg.fields.boolval !== true;
  if (arg.kind === 'Integer') return !arg.fields.ival;
  if (arg.kind === 'String') return ['false', 'off', 'no', '0'].includes(String(arg.fields.sval).toLowerCase());
  return false;
}
