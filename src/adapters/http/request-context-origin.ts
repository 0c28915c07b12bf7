import type { RequestOrigin } from '../../application/ports/request-origin.port';
import { SYSTEM_ACTOR, type AuditOrigin } from '../../domain/audit/audit-entry';
import { requestContext } from './request-context';

/** The origin of the request being served, read from the request context; `system` outside any request. */
export class RequestContextOrigin implements RequestOrigin {
  current(): AuditOrigin {
    const context = requestContext.getStore();
    if (!context) return { actor: SYSTEM_ACTOR, requestId: null, clientIp: null, userAgent: null };
    return {
      actor: { sub: context.callerId ?? null, role: context.callerRole ?? null, serviceName: null },
      requestId: context.requestId,
      clientIp: context.clientIp ?? null,
      userAgent: context.userAgent ?? null,
    };
  }
}
