import type { DeleteBackup } from '../../../application/database/backups/delete-backup';
import type { GetBackup } from '../../../application/database/backups/get-backup';
import type { ListBackups } from '../../../application/database/backups/list-backups';
import type { OpenBackupArchive } from '../../../application/database/backups/open-backup-archive';
import type { StartBackup } from '../../../application/database/backups/start-backup';
import { ErrorBodySchema } from '../openapi/error-schema';
import { presentBackup } from '../presenters/db-backups.presenter';
import { field } from '../route-audit';
import type { RouteBuilder } from '../route-builder';
import { BackupArchiveSchema, BackupListSchema, BackupParamsSchema, BackupSchema, ListBackupsQuerySchema, StartBackupBodySchema } from '../schemas/db-backups.schemas';
import { sendStream } from './send-stream';

export interface BackupRouteDeps {
  startBackup: StartBackup;
  listBackups: ListBackups;
  getBackup: GetBackup;
  openArchive: OpenBackupArchive;
  deleteBackup: DeleteBackup;
  /** Shown with the list (the console's Backups page): schedule and retention from the configuration. */
  policy: { schedule: string | null; retentionDays: number; keepMin: number; maxAgeHours: number };
}

const NO_STORE = { 'Cache-Control': 'no-store' };
const TAG = 'Database backups';

/** Admin-only database backups (004 "Sauvegardes automatiques"). */
export function dbBackupsRoutes(routes: RouteBuilder, deps: BackupRouteDeps): void {
  routes.define({
    method: 'post',
    path: '/api/v1/db/backup',
    tag: TAG,
    auth: 'admin',
    summary: 'Start a backup of the database (pg_dump, encrypted, into the object store)',
    description: 'Answers 202 at once with the queued backup; poll GET /api/v1/db/backups/{id} for its progress. One backup at a time across every instance.',
    body: StartBackupBodySchema,
    responses: {
      202: { description: 'Backup queued', schema: BackupSchema },
      409: { description: 'BACKUP_IN_PROGRESS: another backup is queued or running', schema: ErrorBodySchema },
      503: { description: 'BACKUP_TOOL_UNAVAILABLE: pg_dump/pg_restore missing or older than the server (details.package names what to install)', schema: ErrorBodySchema },
    },
    audit: { action: 'backup.start', targetType: 'backup', targetId: (_i, b) => field(b, 'id') },
    handler: async ({ body }) => {
      const backup = await deps.startBackup.execute({ label: body.label ?? null, includeFilesManifest: body.include_files_manifest, kind: 'manual' });
      return { status: 202, body: presentBackup(backup), headers: { ...NO_STORE, Location: `/api/v1/db/backups/${backup.id}` } };
    },
  });

  routes.define({
    method: 'get',
    path: '/api/v1/db/backups',
    tag: TAG,
    auth: 'admin',
    summary: 'Backups, newest first',
    query: ListBackupsQuerySchema,
    responses: { 200: { description: 'A page of backups', schema: BackupListSchema } },
    handler: async ({ query }) => {
      const listing = await deps.listBackups.execute(query);
      return {
        status: 200,
        headers: NO_STORE,
        body: {
          backups: listing.backups.map(presentBackup),
          pagination: { page: listing.page, limit: listing.limit, total: listing.total, pages: Math.ceil(listing.total / listing.limit) },
          policy: {
            schedule: deps.policy.schedule,
            retention_days: deps.policy.retentionDays,
            keep_min: deps.policy.keepMin,
            max_age_hours: deps.policy.maxAgeHours,
          },
        },
      };
    },
  });

  routes.define({
    method: 'get',
    path: '/api/v1/db/backups/:id',
    tag: TAG,
    auth: 'admin',
    summary: 'One backup: status, progress, size, sha256, manifest count, storage',
    params: BackupParamsSchema,
    responses: {
      200: { description: 'The backup', schema: BackupSchema },
      404: { description: 'BACKUP_NOT_FOUND', schema: ErrorBodySchema },
    },
    handler: async ({ params }) => ({ status: 200, body: presentBackup(await deps.getBackup.execute(params.id)), headers: NO_STORE }),
  });

  routes.define({
    method: 'get',
    path: '/api/v1/db/backups/:id/download',
    tag: TAG,
    auth: 'admin',
    summary: 'The archive, decrypted (pg_dump custom format: pg_restore reads it)',
    description:
      'Streams the stored archive decrypted, checking each chunk and, at the end, the size and sha256 recorded when it was taken. ' +
      'The status line is sent before those checks can finish, so a corrupt archive does not answer an error: the connection is cut before the end ' +
      '(the client sees an incomplete body, never a complete one). Compare the X-Backup-Sha256 header with the sha256 of what you saved.',
    params: BackupParamsSchema,
    responses: {
      200: { description: 'The archive', schema: BackupArchiveSchema, contentType: 'application/octet-stream' },
      404: { description: 'BACKUP_NOT_FOUND, or a failed backup (no archive)', schema: ErrorBodySchema },
      409: { description: 'BACKUP_IN_PROGRESS: the backup has not finished', schema: ErrorBodySchema },
    },
    handler: async ({ params }, { res }) => {
      const { backup, archive } = await deps.openArchive.execute(params.id);
      const stamp = backup.startedAt.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
      res.status(200);
      res.setHeader('Content-Type', 'application/octet-stream');
      res.setHeader('Content-Disposition', `attachment; filename="backup-${stamp}-${backup.id}.dump"`);
      res.setHeader('Cache-Control', 'no-store');
      if (backup.sizeBytes !== null) res.setHeader('Content-Length', String(backup.sizeBytes));
      if (backup.sha256) res.setHeader('X-Backup-Sha256', backup.sha256);
      await sendStream(res, archive);
    },
  });

  routes.define({
    method: 'delete',
    path: '/api/v1/db/backups/:id',
    tag: TAG,
    auth: 'admin',
    summary: 'Delete a backup: its archive, its row and manifest (objects only it still held are released)',
    params: BackupParamsSchema,
    responses: {
      204: { description: 'Deleted' },
      404: { description: 'BACKUP_NOT_FOUND', schema: ErrorBodySchema },
      409: { description: 'BACKUP_IN_PROGRESS: the backup is queued or running', schema: ErrorBodySchema },
    },
    audit: { action: 'backup.delete', targetType: 'backup', targetId: ({ params }) => params.id },
    handler: async ({ params }) => {
      await deps.deleteBackup.execute(params.id);
      return { status: 204 };
    },
  });
}
