import type { GetMigrationRun } from '../../../application/database/migrations/get-migration-run';
import type { GetMigrationStatus } from '../../../application/database/migrations/get-migration-status';
import type { RunMigrations } from '../../../application/database/migrations/run-migrations';
import { ErrorBodySchema } from '../openapi/error-schema';
import { presentRun, presentRunStarted, presentStatus } from '../presenters/migrations.presenter';
import { field } from '../route-audit';
import type { RouteBuilder } from '../route-builder';
import {
  MigrationRunParamsSchema,
  MigrationRunResponseSchema,
  MigrationRunStartedSchema,
  MigrationStatusResponseSchema,
  RunMigrationsBodySchema,
} from '../schemas/migrations.schemas';

export interface MigrationRouteDeps {
  getStatus: GetMigrationStatus;
  runMigrations: RunMigrations;
  getRun: GetMigrationRun;
}

const NO_STORE = { 'Cache-Control': 'no-store' };

/** Admin-only migration management (000/001 "Migration Management"). */
export function migrationsRoutes(routes: RouteBuilder, deps: MigrationRouteDeps): void {
  routes.define({
    method: 'get',
    path: '/api/v1/migrations/status',
    tag: 'Migrations',
    auth: 'admin',
    summary: 'Current schema version, pending migrations and the last one applied',
    responses: { 200: { description: 'Migration status', schema: MigrationStatusResponseSchema } },
    handler: async () => ({ status: 200, body: presentStatus(await deps.getStatus.execute()), headers: NO_STORE }),
  });

  routes.define({
    method: 'post',
    path: '/api/v1/migrations/run',
    tag: 'Migrations',
    auth: 'admin',
    summary: 'Apply pending migrations (in the background) or plan them (dry_run)',
    description:
      'Answers 202 at once with a migration_id to poll; each migration and its bookkeeping commit together, and a failure stops the run at the previous version. ' +
      '200 when nothing is pending (status completed) or for a dry run (status dry_run).',
    body: RunMigrationsBodySchema,
    responses: {
      202: { description: 'Run started', schema: MigrationRunStartedSchema },
      200: { description: 'Nothing to apply, or the dry-run plan', schema: MigrationRunStartedSchema },
      409: { description: 'MIGRATION_IN_PROGRESS: another run holds the lock', schema: ErrorBodySchema },
      422: {
        description: 'UNKNOWN_MIGRATION_VERSION, or MIGRATION_DOWNGRADE_NOT_SUPPORTED for a target behind the current version',
        schema: ErrorBodySchema,
      },
    },
    audit: { action: 'migration.run', targetType: 'migration_run', targetId: (_i, b) => field(b, 'migration_id'), details: ({ body }) => ({ target_version: body.target_version ?? null, dry_run: body.dry_run ?? false }) },
    handler: async ({ body }) => {
      const run = await deps.runMigrations.execute({ targetVersion: body.target_version, dryRun: body.dry_run });
      if (run.status !== 'running') return { status: 200, body: presentRunStarted(run) };
      return { status: 202, body: presentRunStarted(run), headers: { Location: `/api/v1/migrations/runs/${run.id}` } };
    },
  });

  routes.define({
    method: 'get',
    path: '/api/v1/migrations/runs/:migration_id',
    tag: 'Migrations',
    auth: 'admin',
    summary: 'A migration run: progress, per-step status and error',
    params: MigrationRunParamsSchema,
    responses: {
      200: { description: 'The run', schema: MigrationRunResponseSchema },
      404: { description: 'No such run', schema: ErrorBodySchema },
    },
    handler: async ({ params }) => ({ status: 200, body: presentRun(await deps.getRun.execute(params.migration_id)), headers: NO_STORE }),
  });
}
