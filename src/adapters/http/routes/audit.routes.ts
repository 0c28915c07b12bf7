import type { ListAuditEntries } from '../../../application/audit/list-audit-entries';
import type { VerifyAuditChain } from '../../../application/audit/verify-audit-chain';
import type { AuditFilter, AuditPage } from '../../../application/ports/audit-log.port';
import type { AuditEntry } from '../../../domain/audit/audit-entry';
import type { RouteBuilder } from '../route-builder';
import { AuditPageSchema, AuditQuerySchema, AuditVerificationSchema, OwnAuditQuerySchema } from '../schemas/audit.schemas';

export interface AuditRouteDeps {
  listAuditEntries: ListAuditEntries;
  verifyAuditChain: VerifyAuditChain;
}

interface PageQuery {
  cursor?: string | undefined;
  page: number;
  limit: number;
  action?: string | undefined;
  target_id?: string | undefined;
  outcome?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
}

/** Issue 11 "Audit trail": reading the trail (admin, or one's own entries) and verifying its chain. */
export function auditRoutes(routes: RouteBuilder, deps: AuditRouteDeps): void {
  routes.define({
    method: 'get',
    path: '/api/v1/audit/verify',
    tag: 'Audit',
    auth: 'admin',
    summary: 'Walk the hash chain of the audit trail and report the first broken link',
    description:
      'Links the committed entries not chained yet, then recomputes every chained entry\'s hash from its stored fields and checks it ' +
      'links to the previous one, from the anchor (genesis, or the last entry the retention job purged) to the newest. 200 either way: ' +
      'status "ok" with the count, or "broken" with the id of the first entry whose link or hash does not hold.',
    responses: { 200: { description: 'The verdict', schema: AuditVerificationSchema } },
    handler: async () => {
      const verdict = await deps.verifyAuditChain.execute();
      const anchor = { chain_seq: verdict.anchorSeq, hash: verdict.anchorHash };
      const body = verdict.ok
        ? { status: 'ok', checked: verdict.checked, anchor, head_id: verdict.headId, unchained: verdict.unchained }
        : { status: 'broken', checked: verdict.checked, anchor, broken_at: verdict.brokenAt, reason: verdict.reason, unchained: verdict.unchained };
      return { status: 200, body, headers: { 'Cache-Control': 'no-store' } };
    },
  });

  routes.define({
    method: 'get',
    path: '/api/v1/audit',
    tag: 'Audit',
    auth: 'admin',
    summary: 'List audit entries, newest first',
    description:
      'Filters: actor (token subject), action, target_id, outcome (success or an error code), from/to (occurred_at, inclusive). ' +
      'Page pagination (page, limit, with the total) or keyset pagination (cursor = next_cursor of the previous page).',
    query: AuditQuerySchema,
    responses: { 200: { description: 'A page of entries', schema: AuditPageSchema } },
    handler: async ({ query }) => {
      const filter: AuditFilter = { ...filterOf(query), ...(query.actor !== undefined ? { actor: query.actor } : {}) };
      return page(await deps.listAuditEntries.execute({ filter, page: pageOf(query) }), query);
    },
  });

  routes.define({
    method: 'get',
    path: '/api/v1/audit/me',
    tag: 'Audit',
    auth: 'user',
    summary: "The caller's own audit entries, newest first",
    description: 'Entries whose actor is the caller (token subject); the same filters as GET /api/v1/audit but actor.',
    query: OwnAuditQuerySchema,
    responses: { 200: { description: 'A page of entries', schema: AuditPageSchema } },
    handler: async ({ query }, ctx) => {
      const filter: AuditFilter = { ...filterOf(query), actor: ctx.caller.userId };
      return page(await deps.listAuditEntries.execute({ filter, page: pageOf(query) }), query);
    },
  });
}

function filterOf(query: PageQuery): AuditFilter {
  return {
    ...(query.action !== undefined ? { action: query.action } : {}),
    ...(query.target_id !== undefined ? { targetId: query.target_id } : {}),
    ...(query.outcome !== undefined ? { outcome: query.outcome } : {}),
    ...(query.from !== undefined ? { from: query.from } : {}),
    ...(query.to !== undefined ? { to: query.to } : {}),
  };
}

function pageOf(query: PageQuery) {
  return query.cursor !== undefined ? { limit: query.limit, beforeId: query.cursor } : { limit: query.limit, page: query.page };
}

function page(result: AuditPage, query: PageQuery) {
  return {
    status: 200,
    headers: { 'Cache-Control': 'no-store' },
    body: {
      entries: result.entries.map(present),
      pagination: { limit: query.limit, page: query.cursor !== undefined ? null : query.page, total: result.total, next_cursor: result.nextBeforeId },
    },
  };
}

function present(entry: AuditEntry) {
  return {
    id: entry.id,
    occurred_at: entry.occurredAt.toISOString(),
    actor: { sub: entry.actor.sub, role: entry.actor.role, service_name: entry.actor.serviceName },
    action: entry.action,
    target: { type: entry.targetType, id: entry.targetId },
    request_id: entry.requestId,
    client_ip: entry.clientIp,
    user_agent: entry.userAgent,
    outcome: entry.outcome,
    details: entry.details,
    chain_seq: entry.chainSeq,
    prev_hash: entry.prevHash,
    hash: entry.hash,
  };
}
