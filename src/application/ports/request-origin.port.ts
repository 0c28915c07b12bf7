import type { AuditOrigin } from '../../domain/audit/audit-entry';

/** Who is being served right now (the request's caller, id, client IP and user agent); system outside requests. */
export interface RequestOrigin {
  current(): AuditOrigin;
}
