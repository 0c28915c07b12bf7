import { z } from '../openapi/zod';

const DateTime = z.string().openapi({ format: 'date-time' });
const Identifier = z.string().trim().min(1).max(200);
const Instant = z
  .string()
  .trim()
  .refine((v) => /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(v) && !Number.isNaN(Date.parse(v)), 'expected an ISO-8601 date or date-time')
  .transform((v) => new Date(v))
  .openapi({ type: 'string', format: 'date-time', example: '2026-12-01T00:00:00Z' });

const Paging = {
  cursor: z
    .string()
    .regex(/^\d{1,19}$/, 'expected the next_cursor of a previous page')
    .optional()
    .openapi({ description: 'next_cursor of the previous page (keyset pagination; page is then ignored)' }),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  limit: z.coerce.number().int().min(1).max(200).default(50),
};

const Filters = {
  action: Identifier.optional().openapi({ example: 'data.transaction' }),
  target_id: Identifier.optional(),
  outcome: Identifier.optional().openapi({ description: 'success, or an error code', example: 'FORBIDDEN' }),
  from: Instant.optional(),
  to: Instant.optional(),
};

export const AuditQuerySchema = z
  .object({ actor: Identifier.optional().openapi({ description: "The actor's sub (token subject)" }), ...Filters, ...Paging })
  .strict()
  .refine((q) => !q.from || !q.to || q.from <= q.to, { message: 'from must not be after to', path: ['from'] });

export const OwnAuditQuerySchema = z
  .object({ ...Filters, ...Paging })
  .strict()
  .refine((q) => !q.from || !q.to || q.from <= q.to, { message: 'from must not be after to', path: ['from'] });

export const AuditEntrySchema = z
  .object({
    id: z.string().openapi({ description: 'The entry id (a 64-bit integer as a string; ids grow with time, with gaps)' }),
    occurred_at: DateTime,
    actor: z.object({ sub: z.string().nullable(), role: z.string().nullable(), service_name: z.string().nullable() }),
    action: z.string().openapi({ example: 'file.upload' }),
    target: z.object({ type: z.string(), id: z.string().nullable() }),
    request_id: z.string().nullable(),
    client_ip: z.string().nullable(),
    user_agent: z.string().nullable(),
    outcome: z.string().openapi({ description: 'success, or the error code', example: 'success' }),
    details: z.record(z.string(), z.unknown()),
    chain_seq: z.string().nullable().openapi({ description: 'Position in the hash chain; null for the second or so until the chainer links the entry' }),
    prev_hash: z.string().nullable(),
    hash: z.string().nullable().openapi({ description: "hex(sha256(prev_hash || chain_seq || '|' || id || '|' || canonical form))" }),
  })
  .openapi('AuditEntry');

export const AuditPageSchema = z
  .object({
    entries: z.array(AuditEntrySchema),
    pagination: z.object({
      limit: z.number().int(),
      page: z.number().int().nullable(),
      total: z.number().int().nullable().openapi({ description: 'Entries matching the filters (page pagination; null with a cursor)' }),
      next_cursor: z.string().nullable(),
    }),
  })
  .openapi('AuditPage');

export const AuditVerificationSchema = z
  .object({
    status: z.enum(['ok', 'broken']),
    checked: z.number().int().openapi({ description: 'Entries whose link and hash were checked and found intact' }),
    anchor: z.object({ chain_seq: z.string(), hash: z.string() }).openapi({ description: 'Where the chain starts: genesis (0) or the last entry the retention job purged' }),
    unchained: z.number().int().openapi({ description: 'Committed entries not linked yet (written in the last moment)' }),
    head_id: z.string().nullable().optional(),
    broken_at: z.string().optional().openapi({ description: 'Id of the first entry whose link or hash does not hold' }),
    reason: z.enum(['hash_mismatch', 'link_mismatch']).optional(),
  })
  .openapi('AuditVerification');
