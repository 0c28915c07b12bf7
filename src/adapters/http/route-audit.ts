import type { ErrorRequestHandler, Request } from 'express';
import type { AuditTrail } from '../../application/ports/audit-trail.port';
import type { RecordRefusal } from '../../application/audit/record-refusal';
import type { Logger } from '../../application/ports/logger.port';
import type { AuditActor, AuditDetails } from '../../domain/audit/audit-entry';
import { DomainError } from '../../domain/shared/domain-error';
import { FileOfAnotherOwner } from '../../domain/storage/file-of-another-owner';

/** A response body as the audit hooks see it (absent when the handler failed). */
export type AuditedBody = Readonly<Record<string, unknown>> | undefined;

/** What a route records in the audit trail once its handler has answered or failed. */
export interface RouteAuditSpec<I> {
  action: string | ((input: I) => string);
  targetType: string;
  /** The target's id from the input or (on success) the response body. */
  targetId?: (input: I, body: AuditedBody) => string | null | undefined;
  /** Identifiers and counts only: never a value, a secret or a token. */
  details?: (input: I, body: AuditedBody) => AuditDetails;
  actor?: (input: I) => Partial<AuditActor>;
  /**
   * Failures only: the use case records the success itself, in the transaction of the change (a
   * route-level entry commits on its own, after the change).
   */
  failuresOnly?: boolean;
}

/** A string field of a response body, or null. */
export function field(body: AuditedBody, name: string): string | null {
  const value = body?.[name];
  return typeof value === 'string' || typeof value === 'number' ? String(value) : null;
}

/** The route builder's audit hooks: actions performed, and attempts refused. */
export class RouteAuditor {
  constructor(
    private readonly trail: AuditTrail,
    private readonly refusals: RecordRefusal,
    private readonly logger: Logger,
  ) {}

  /**
   * After the handler, before the response: an entry in a transaction of its own (the action's own
   * writes, made by its use case, have committed already). A failure to record is logged, not answered:
   * the action has happened.
   */
  async performed<I>(spec: RouteAuditSpec<I>, input: I, outcome: { body: unknown } | { error: unknown }): Promise<void> {
    const body = 'body' in outcome ? outcome.body : undefined;
    const error = 'error' in outcome ? outcome.error : undefined;
    if (error !== undefined && !(error instanceof DomainError)) return; // a bug: logged as a 500 elsewhere
    if (spec.failuresOnly && error === undefined) return;
    const safe = <T>(pick: (() => T) | undefined, fallback: T): T => {
      try {
        return pick ? pick() : fallback;
      } catch {
        return fallback;
      }
    };
    const audited = body && typeof body === 'object' ? (body as AuditedBody) : undefined;
    const action = typeof spec.action === 'string' ? spec.action : safe(() => (spec.action as (input: I) => string)(input), 'unknown');
    const targetId = safe(() => spec.targetId?.(input, audited), undefined) ?? null;
    const details = safe(() => spec.details?.(input, audited), undefined) ?? {};
    const actor = safe(() => spec.actor?.(input), undefined);
    await this.trail
      .record([
        {
          action,
          targetType: spec.targetType,
          targetId,
          outcome: error instanceof DomainError ? error.code : 'success',
          details,
          ...(actor ? { actor } : {}),
        },
      ])
      .catch((failure: unknown) => this.logger.error({ err: failure, action }, 'audit entry not recorded'));
  }

  /**
   * An error handler for routes: records 401/403 on admin routes and a file of someone else answered
   * as not found, rate-limited per actor, then passes the error on unchanged.
   */
  refusalRecorder(adminRoute: boolean): ErrorRequestHandler {
    return (error: unknown, req, res, next) => {
      const refused = refusalOf(error, adminRoute, req);
      if (refused) {
        const actorKey = (res.locals.caller as { userId?: string } | undefined)?.userId ?? `ip:${req.ip ?? 'unknown'}`;
        void this.refusals.execute({ actorKey, entry: refused });
      }
      next(error);
    };
  }
}

function refusalOf(error: unknown, adminRoute: boolean, req: Request) {
  if (!(error instanceof DomainError)) return null;
  const route = `${req.method} ${req.baseUrl}${req.route ? String((req.route as { path: string }).path) : req.path}`;
  if (error instanceof FileOfAnotherOwner) {
    return { action: 'file.access_refused', targetType: 'file', targetId: error.fileId, outcome: error.code, details: { route } };
  }
  if (adminRoute && (error.code === 'UNAUTHORIZED' || error.code === 'FORBIDDEN')) {
    return { action: 'admin.access_refused', targetType: 'route', targetId: route, outcome: error.code, details: { reason: error.details?.['reason'] ?? null } };
  }
  return null;
}
