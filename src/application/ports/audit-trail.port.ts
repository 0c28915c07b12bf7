import type { NewAuditEntry } from '../../domain/audit/audit-entry';
import type { DatabaseSession } from './database-session.port';

/**
 * Appends entries to the tamper-evident audit trail. With a session in an open transaction the entries
 * are written as part of that transaction (the PostgreSQL adapter sends them with its COMMIT): they
 * commit or roll back with the change they record, and a failure to append fails the commit. Without
 * a session they are written in a transaction of their own. The request's origin (actor, request id, client
 * IP, user agent) is filled in by the adapter from the request being served.
 */
export interface AuditTrail {
  record(entries: readonly NewAuditEntry[], session?: DatabaseSession): Promise<void>;
}
