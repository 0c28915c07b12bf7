import type { GetDatabaseStatus } from '../../../application/database/ops/get-database-status';
import { presentDatabaseStatus } from '../presenters/db-status.presenter';
import type { RouteBuilder } from '../route-builder';
import { DbStatusResponseSchema } from '../schemas/db-status.schemas';

export interface DbStatusRouteDeps {
  getStatus: GetDatabaseStatus;
}

/** GET /api/v1/db/status (seed 004 "Endpoints API Principaux"): the operator's account of the database. */
export function dbStatusRoutes(routes: RouteBuilder, deps: DbStatusRouteDeps): void {
  routes.define({
    method: 'get',
    path: '/api/v1/db/status',
    tag: 'Database operations',
    auth: 'admin',
    summary: 'Server, database, connections, performance, replication, slow queries, index advice, locks, last backup, restricted SQL role',
    description:
      'Every part is read in parallel, each bounded by HEALTH_CHECK_TIMEOUT_MS; a part that cannot be read answers {"available": false, "reason": "…"} ' +
      'while the others answer. Query texts are normalized (no literal values).',
    responses: { 200: { description: 'The status report', schema: DbStatusResponseSchema } },
    handler: async () => ({ status: 200, body: presentDatabaseStatus(await deps.getStatus.execute()), headers: { 'Cache-Control': 'no-store' } }),
  });
}
