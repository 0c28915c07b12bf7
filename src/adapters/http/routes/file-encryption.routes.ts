import type { GetEncryptionStatus } from '../../../application/storage/encryption/get-encryption-status';
import type { StartEncryptionJob } from '../../../application/storage/encryption/start-encryption-job';
import { ErrorBodySchema } from '../openapi/error-schema';
import { presentEncryptionJob, presentEncryptionStatus } from '../presenters/file-encryption.presenter';
import { field, type AuditedBody } from '../route-audit';
import type { RouteBuilder } from '../route-builder';
import { EncryptionJobSchema, EncryptionStatusSchema } from '../schemas/file-encryption.schemas';

export interface FileEncryptionRouteDeps {
  startJob: StartEncryptionJob;
  getStatus: GetEncryptionStatus;
}

const NO_STORE = { 'Cache-Control': 'no-store' };
const TAG = 'Encryption at rest';
/** The job's id and counts (never a key), whether this request started it or joined the one running. */
const jobDetails = (_input: unknown, body: AuditedBody) => ({ status: field(body, 'status'), target_key_id: field(body, 'target_key_id'), total_files: body?.['total_files'] ?? null });

/** Admin endpoints of file encryption at rest: key rotation, encrypting files stored in clear, status. */
export function fileEncryptionRoutes(routes: RouteBuilder, deps: FileEncryptionRouteDeps): void {
  const jobResponses = {
    202: { description: 'The job (started, or the one of this kind already running)', schema: EncryptionJobSchema },
    409: { description: 'CONFLICT: file encryption is off (no ENCRYPTION_KEYS)', schema: ErrorBodySchema },
  };

  routes.define({
    method: 'post',
    path: '/api/v1/admin/encryption/rotate',
    tag: TAG,
    auth: 'admin',
    summary: 'Re-wrap every data key under the active master key (no object is rewritten)',
    description:
      'Answers 202 at once; progress in GET /api/v1/admin/encryption/status. Resumed after a restart; every file stays readable throughout. ' +
      'Once done (files of the old key: 0), the old key may be removed from ENCRYPTION_KEYS.',
    responses: jobResponses,
    audit: { action: 'encryption.files.rotate', targetType: 'encryption_job', targetId: (_i, b) => field(b, 'id'), details: jobDetails },
    handler: async () => {
      const { job } = await deps.startJob.execute('rotate');
      return { status: 202, body: presentEncryptionJob(job), headers: NO_STORE };
    },
  });

  routes.define({
    method: 'post',
    path: '/api/v1/admin/encryption/encrypt-existing',
    tag: TAG,
    auth: 'admin',
    summary: 'Encrypt the files stored before encryption was on, in the background',
    description: 'Each file: a new encrypted object, then the row swapped to it, then the clear object removed (a crash leaves one of the two valid). Resumed after a restart.',
    responses: jobResponses,
    audit: { action: 'encryption.files.encrypt_existing', targetType: 'encryption_job', targetId: (_i, b) => field(b, 'id'), details: jobDetails },
    handler: async () => {
      const { job } = await deps.startJob.execute('encrypt_existing');
      return { status: 202, body: presentEncryptionJob(job), headers: NO_STORE };
    },
  });

  routes.define({
    method: 'get',
    path: '/api/v1/admin/encryption/status',
    tag: TAG,
    auth: 'admin',
    summary: 'Master keys in use (by id, with file counts), files still in clear, job progress',
    responses: { 200: { description: 'The encryption status', schema: EncryptionStatusSchema } },
    handler: async () => ({ status: 200, body: presentEncryptionStatus(await deps.getStatus.execute()), headers: NO_STORE }),
  });
}
