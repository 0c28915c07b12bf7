import { z } from '../openapi/zod';

const DateTime = z.string().openapi({ format: 'date-time' });

export const EncryptionJobSchema = z
  .object({
    id: z.string().openapi({ example: '0b7f3c9e-5d1a-4c7e-9a55-2f1c1f0e9d11' }),
    kind: z.enum(['rotate', 'encrypt_existing']),
    status: z.enum(['running', 'completed', 'failed']).openapi({ description: 'failed: finished with files it could not process (failed_files, last_error); run it again once fixed' }),
    target_key_id: z.string().openapi({ description: 'The master key the job writes under (the active key)', example: 'k2' }),
    total_files: z.number().int(),
    done_files: z.number().int(),
    failed_files: z.number().int(),
    progress_percent: z.number(),
    last_error: z.string().nullable(),
    started_at: DateTime,
    updated_at: DateTime,
    finished_at: DateTime.nullable(),
  })
  .openapi('EncryptionJob');

export const EncryptionStatusSchema = z
  .object({
    enabled: z.boolean().openapi({ description: 'False without ENCRYPTION_KEYS / ENCRYPTION_KEY: new files are stored in clear' }),
    active_key_id: z.string().nullable(),
    keys: z
      .array(
        z.object({
          key_id: z.string(),
          files: z.number().int().openapi({ description: 'Files (trash included) whose data key this master key wraps' }),
          in_keyring: z.boolean().openapi({ description: 'False: those files answer 503 ENCRYPTION_KEY_UNAVAILABLE until the key is put back' }),
          active: z.boolean(),
        }),
      )
      .openapi({ description: 'By id only: key material is never shown' }),
    unencrypted_files: z.number().int().openapi({ description: 'Files stored before encryption was on (POST /api/v1/admin/encryption/encrypt-existing)' }),
    files_with_missing_keys: z.number().int(),
    jobs: z.object({ rotate: EncryptionJobSchema.nullable(), encrypt_existing: EncryptionJobSchema.nullable() }).openapi({ description: 'The latest job of each kind' }),
  })
  .openapi('EncryptionStatus');
