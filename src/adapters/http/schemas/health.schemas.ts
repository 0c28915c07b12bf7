import { z } from '../openapi/zod';

const Status = z.enum(['UP', 'DEGRADED', 'DOWN']);

export const HealthResponseSchema = z
  .object({
    status: Status,
    timestamp: z.string().openapi({ format: 'date-time' }),
    service: z.string(),
    version: z.string(),
    checks: z.record(
      z.string(),
      z
        .object({ status: Status, responseTime: z.string().openapi({ example: '15ms' }), error: z.string().optional() })
        .catchall(z.unknown())
        .openapi({ description: 'Per dependency; postgresql adds connections, redis adds memory, migrations adds migrations' }),
    ),
    background_tasks: z
      .array(z.object({ name: z.string(), schedule: z.string().openapi({ example: 'every 60s' }), running: z.boolean() }))
      .optional()
      .openapi({ description: 'What this instance runs besides answering requests (sweeps, queue workers, log readers)' }),
  })
  .openapi('HealthResponse');

export const ProbeResponseSchema = z.object({ status: Status }).openapi('ProbeResponse');
