import type { AuditFilter, AuditLog, AuditPage, AuditPageRequest } from '../ports/audit-log.port';

export interface ListAuditEntriesInput {
  filter: AuditFilter;
  page: AuditPageRequest;
}

/** GET /audit (admin, any filter) and GET /audit/me (the route pins `actor` to the caller). Newest first. */
export class ListAuditEntries {
  constructor(private readonly log: AuditLog) {}

  execute(input: ListAuditEntriesInput): Promise<AuditPage> {
    return this.log.list(input.filter, input.page);
  }
}
