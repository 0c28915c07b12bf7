import type { GetRestore } from '../../../application/database/restores/get-restore';
import type { StartRestore } from '../../../application/database/restores/start-restore';
import { ErrorBodySchema } from '../openapi/error-schema';
import { presentRestore } from '../presenters/db-restores.presenter';
import type { RouteBuilder } from '../route-builder';
import { BackupParamsSchema } from '../schemas/db-backups.schemas';
import { RestoreParamsSchema, RestoreSchema, StartRestoreBodySchema } from '../schemas/db-restores.schemas';

export interface RestoreRouteDeps {
  startRestore: StartRestore;
  getRestore: GetRestore;
}

const NO_STORE = { 'Cache-Control': 'no-store' };
const TAG = 'Database backups';

/** Admin-only restores of a backup (004 "récupération rapide"). */
export function dbRestoresRoutes(routes: RouteBuilder, deps: RestoreRouteDeps): void {
  routes.define({
    method: 'post',
    path: '/api/v1/db/backups/:id/restore',
    tag: TAG,
    auth: 'admin',
    summary: 'Restore a backup into a new database on the same server',
    description:
      'The archive is read through once (decrypted, size and sha256 checked) before the answer, so a large archive delays the 202; a tampered one is refused with 422 and nothing is created. Then 202 with the restore; poll GET /api/v1/db/restores/{id}. One restore at a time.',
    params: BackupParamsSchema,
    body: StartRestoreBodySchema,
    responses: {
      202: { description: 'Restore started', schema: RestoreSchema },
      404: { description: 'BACKUP_NOT_FOUND', schema: ErrorBodySchema },
      409: { description: 'RESTORE_IN_PROGRESS, RESTORE_TARGET_EXISTS, or BACKUP_IN_PROGRESS (the backup is not finished)', schema: ErrorBodySchema },
      422: { description: 'BACKUP_CORRUPT: the archive fails decryption or its recorded sha256/size', schema: ErrorBodySchema },
    },
    handler: async ({ params, body }) => {
      const { restore } = await deps.startRestore.execute({ backupId: params.id, target: body.target, databaseName: body.database_name });
      return { status: 202, body: presentRestore(restore), headers: { ...NO_STORE, Location: `/api/v1/db/restores/${restore.id}` } };
    },
  });

  routes.define({
    method: 'get',
    path: '/api/v1/db/restores/:id',
    tag: TAG,
    auth: 'admin',
    summary: 'One restore: status, progress, report',
    params: RestoreParamsSchema,
    responses: {
      200: { description: 'The restore', schema: RestoreSchema },
      404: { description: 'RESTORE_NOT_FOUND', schema: ErrorBodySchema },
    },
    handler: async ({ params }) => ({ status: 200, body: presentRestore(await deps.getRestore.execute(params.id)), headers: NO_STORE }),
  });
}
