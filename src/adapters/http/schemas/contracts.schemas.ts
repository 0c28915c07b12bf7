import { z } from '../openapi/zod';

export const UserContractParamsSchema = z.object({
  user_id: z.uuid({ message: 'expected a user UUID' }).openapi({ example: '3f1d2c4b-5a6e-4f70-8123-456789abcdef' }),
});

export const ProjectContractParamsSchema = z.object({
  project_id: z.uuid({ message: 'expected a project UUID' }).openapi({ example: '0d9f3a52-7c1e-4b8a-9f0e-1a2b3c4d5e6f' }),
});

const CacheStatus = z.enum(['hit', 'miss', 'bypass']);
const Source = z.literal('centralized_contract');

export const UserContractResponseSchema = z
  .object({
    user: z
      .object({
        id: z.string(),
        email: z.string(),
        role: z.string().nullable(),
        subscription_type: z.string().nullable(),
        profile: z.object({ first_name: z.string().nullable(), last_name: z.string().nullable(), avatar_url: z.string().nullable() }),
      })
      .catchall(z.unknown())
      .openapi({ description: "001's User: also username, email_verified, phone_verified, mfa_enabled, created_at, updated_at; never password_hash" }),
    source: Source,
    cache_status: CacheStatus,
    response_time_ms: z.number(),
  })
  .openapi('UserContract');

export const ProjectContractResponseSchema = z
  .object({
    project: z
      .object({
        id: z.string(),
        title: z.string(),
        status: z.string().nullable(),
        files_count: z.number().int().nullable().openapi({ description: 'Files attached to the project (that you own, unless admin)' }),
        workflows: z.array(
          z
            .object({ id: z.string(), type: z.string(), status: z.string().nullable() })
            .catchall(z.unknown())
            .openapi({ description: 'An analysis job: also progress_percent, created_at, started_at, completed_at' }),
        ),
      })
      .catchall(z.unknown())
      .openapi({ description: "001's Project (user_id, description, visibility, settings, metadata, timestamps) plus files_count and workflows" }),
    source: Source,
    aggregated_from: z.array(z.string()).openapi({ description: 'The tables this answer was read from', example: ['projects', 'files', 'analysis_jobs'] }),
    cache_status: CacheStatus,
    response_time_ms: z.number(),
  })
  .openapi('ProjectContract');
