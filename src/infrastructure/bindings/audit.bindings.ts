import type { AuditLog } from '../../application/ports/audit-log.port';
import type { AuditTrail } from '../../application/ports/audit-trail.port';
import type { Clock } from '../../application/ports/clock.port';
import type { Logger } from '../../application/ports/logger.port';
import type { RequestOrigin } from '../../application/ports/request-origin.port';
import { ListAuditEntries } from '../../application/audit/list-audit-entries';
import { PurgeAuditLog } from '../../application/audit/purge-audit-log';
import { RecordRefusal } from '../../application/audit/record-refusal';
import { VerifyAuditChain } from '../../application/audit/verify-audit-chain';
import { RequestContextOrigin } from '../../adapters/http/request-context-origin';
import { RouteAuditor } from '../../adapters/http/route-audit';
import { auditRoutes } from '../../adapters/http/routes/audit.routes';
import { PgAuditLog } from '../../adapters/postgres/pg-audit-log';
import type { PgSqlDatabase } from '../../adapters/postgres/pg-sql-database';
import type { Capability } from '../background-task';
import type { Bind } from '../binder';
import type { Config } from '../config';
import { periodicTask } from '../periodic-task';
import { TOKENS } from '../tokens';

/** How long a committed entry may stay unchained (verify and retention chain first anyway). */
const CHAIN_INTERVAL_MS = 1_000;

/** Records nothing: AUDIT_ENABLED=false, for the benchmark's A/B runs only. */
const NO_AUDIT: AuditTrail = { record: async () => undefined };

/**
 * The audit trail (issue 11): one PostgreSQL adapter bound once (PgAuditLog) and exposed as the
 * AuditTrail that use cases append through and the AuditLog the admin routes and retention read.
 */
export function bindAudit(bind: Bind): void {
  bind(TOKENS.RequestOrigin, (): RequestOrigin => new RequestContextOrigin(), []);
  bind(TOKENS.AuditLog, (db: PgSqlDatabase, origin: RequestOrigin, clock: Clock): PgAuditLog => new PgAuditLog(db, origin, clock), [
    TOKENS.PgSqlDatabase,
    TOKENS.RequestOrigin,
    TOKENS.Clock,
  ]);
  bind(TOKENS.AuditTrail, (config: Config, log: PgAuditLog): AuditTrail => (config.audit.enabled ? log : NO_AUDIT), [TOKENS.Config, TOKENS.AuditLog]);
  bind(TOKENS.RecordRefusal, (audit: AuditTrail, clock: Clock, logger: Logger) => new RecordRefusal(audit, clock, logger), [
    TOKENS.AuditTrail,
    TOKENS.Clock,
    TOKENS.Logger,
  ]);
  bind(TOKENS.RouteAuditor, (audit: AuditTrail, refusals: RecordRefusal, logger: Logger) => new RouteAuditor(audit, refusals, logger), [
    TOKENS.AuditTrail,
    TOKENS.RecordRefusal,
    TOKENS.Logger,
  ]);
  bind(
    TOKENS.AuditModule,
    (config: Config, log: AuditLog, clock: Clock, logger: Logger): Capability => {
      const purge = new PurgeAuditLog(log, clock, config.audit.retentionDays, logger);
      return {
        mountRoutes(routes) {
          auditRoutes(routes, { listAuditEntries: new ListAuditEntries(log), verifyAuditChain: new VerifyAuditChain(log) });
        },
        tasks: config.audit.enabled
          ? [
              // Links committed entries into the hash chain (one chainer at a time across instances).
              periodicTask('audit chainer', CHAIN_INTERVAL_MS, () => log.chain(), logger),
              periodicTask('audit retention', config.audit.retentionIntervalMs, () => purge.execute(), logger, { runAtStart: true, exclusive: true }),
            ]
          : [],
      };
    },
    [TOKENS.Config, TOKENS.AuditLog, TOKENS.Clock, TOKENS.Logger],
  );
}
