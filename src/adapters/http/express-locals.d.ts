import type { Caller } from '../../domain/auth/caller';

declare global {
  namespace Express {
    interface Locals {
      requestId: string;
      caller?: Caller;
      /** The route template that matched, e.g. /api/v1/migrations/runs/:id; for metrics and logs. */
      routeTemplate?: string;
    }
  }
}

export {};
