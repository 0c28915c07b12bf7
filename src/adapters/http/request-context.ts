import { AsyncLocalStorage } from 'node:async_hooks';

export interface RequestContext {
  requestId: string;
  callerId?: string;
  /** The caller's role and, for the audit trail, where the request came from. */
  callerRole?: string;
  clientIp?: string;
  userAgent?: string;
}

/**
 * Carries the request id through every await of a request, so any log line written while serving it
 * (in a use case or an adapter) names the request without threading it through every signature.
 */
export const requestContext = new AsyncLocalStorage<RequestContext>();
