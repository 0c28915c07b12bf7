import { z } from './zod';

export const ErrorBodySchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'VALIDATION_ERROR' }),
      message: z.string(),
      details: z.record(z.string(), z.unknown()),
      timestamp: z.string().openapi({ format: 'date-time' }),
      request_id: z.string().openapi({ example: 'req_123456789' }),
      service: z.string().openapi({ example: 'visiobook-data-platform' }),
    }),
  })
  .openapi('ErrorBody');
