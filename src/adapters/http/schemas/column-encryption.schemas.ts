import { z } from '../openapi/zod';

const Count = z.number().int().nonnegative();
const DateTime = z.string().openapi({ format: 'date-time' });

const Column = z.object({
  table: z.string().openapi({ example: 'users' }),
  column: z.string().openapi({ example: 'email' }),
  blind_index: z.string().nullable().openapi({ description: 'The blind index column (equality filters, unique keys); null: none', example: 'email_bidx' }),
  rows_by_key: z.record(z.string(), Count).openapi({ description: 'Rows whose value is encrypted, by key id', example: { k1: 120, k2: 4000 } }),
  plaintext_rows: Count.openapi({ description: 'Rows whose value is still stored as sent (before encryption was turned on)' }),
  stale_blind_indexes: Count.openapi({ description: 'Rows whose blind index is missing or made with another index key' }),
});

const Job = z
  .object({
    state: z.enum(['idle', 'running', 'completed', 'failed']),
    started_at: DateTime.nullable(),
    finished_at: DateTime.nullable(),
    total: Count.openapi({ description: 'Rows that needed work when the pass started' }),
    processed: Count,
    rewritten: Count.openapi({ description: 'Rows encrypted, re-encrypted under the active key, or re-indexed' }),
    skipped: Count.openapi({ description: 'Rows left alone: changed by a write meanwhile, or unreadable (key missing, corrupt; logged)' }),
    percent: z.number().min(0).max(100),
    error: z.string().nullable(),
  })
  .openapi('ColumnEncryptionJob');

export const ColumnEncryptionStatusSchema = z
  .object({
    enabled: z.boolean().openapi({ description: 'false: DB_ENCRYPTION_KEY is not set, values are stored as sent' }),
    active_key_id: z.string().nullable().openapi({ example: 'k2' }),
    key_ids: z.array(z.string()).openapi({ example: ['k1', 'k2'] }),
    blind_index_key_id: z.string().nullable().openapi({ example: 'k1' }),
    columns: z.array(Column),
    job: Job.nullable().openapi({ description: "This instance's background pass (null when encryption is off)" }),
  })
  .openapi('ColumnEncryptionStatus');
