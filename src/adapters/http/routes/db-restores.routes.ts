import type { GetRestore } from '../../../application/database/restores/get-restore';
import type { RestoreInPlace } from '../../../application/database/restores/restore-in-place';
import type { StartRestore } from '../../../application/database/restores/start-restore';
import { ErrorBodySchema } from '../openapi/error-schema';
import { presentRestore } from '../presenters/db-restores.presenter';
import { field } from '../route-audit';
import type { RouteBuilder } from '../route-builder';
import { BackupParamsSchema } from '../schemas/db-backups.schemas';
import { RestoreParamsSchema, RestoreSchema, StartRestoreBodySchema } from '../schemas/db-restores.schemas';

export interface RestoreRouteDeps {
  startRestore: StartRestore;
  restoreInPlace: RestoreInPlace;
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
    summary: 'Restore a backup into a new database on the same server, or over the live one',
    description:
      'The archive is read through once (decrypted, size and sha256 checked) before the answer, so a large archive delays the 202; a tampered one is refused with 422 and nothing is created. ' +
      'target in_place also needs confirm equal to the backup id (400 RESTORE_NOT_CONFIRMED) and a backup whose schema is not newer than the code (409 BACKUP_SCHEMA_NEWER); then a pre_restore backup is taken, ' +
      'every write of the service answers 503 MAINTENANCE until the restore ends, and pg_restore --clean --single-transaction replaces the live database. ' +
      'Then 202 with the restore; poll GET /api/v1/db/restores/{id}. One restore at a time.',
    params: BackupParamsSchema,
    body: StartRestoreBodySchema,
    // Answers RESTORE_IN_PROGRESS during a restore, never MAINTENANCE.
    writes: false,
    responses: {
      202: { description: 'Restore started', schema: RestoreSchema },
      400: { description: 'VALIDATION_ERROR, or RESTORE_NOT_CONFIRMED (in_place without confirm equal to the backup id)', schema: ErrorBodySchema },
      404: { description: 'BACKUP_NOT_FOUND', schema: ErrorBodySchema },
      409: {
        description: 'RESTORE_IN_PROGRESS, RESTORE_TARGET_EXISTS, BACKUP_IN_PROGRESS (the backup, or another one, is not finished), or BACKUP_SCHEMA_NEWER (in_place: the backup has migrations this code lacks)',
        schema: ErrorBodySchema,
      },
      422: { description: 'BACKUP_CORRUPT: the archive fails decryption or its recorded sha256/size', schema: ErrorBodySchema },
      503: { description: 'BACKUP_TOOL_UNAVAILABLE (in_place: the pre_restore backup cannot be taken)', schema: ErrorBodySchema },
    },
    audit: { action: 'backup.restore', targetType: 'backup', targetId: ({ params }) => params.id, details: (_i, b) => ({ restore_id: field(b, 'id'), target: field(b, 'target') }) },
    handler: async ({ params, body }) => {
      const { restore } =
        body.target === 'in_place'
          ? await deps.restoreInPlace.execute({ backupId: params.id, confirm: body.confirm })
          : await deps.startRestore.execute({ backupId: params.id, target: body.target, databaseName: body.database_name });
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
