import type { ProjectAggregate } from '../../../application/database/reads/get-project-contract';
import type { Row } from '../../../application/ports/table-reader.port';

/** The wire shapes of 001 "Endpoints de Contrats". Rows already hold snake_case column names. */

const USER_FIELDS = ['id', 'email', 'username', 'role', 'subscription_type', 'email_verified', 'phone_verified', 'mfa_enabled', 'created_at', 'updated_at'];
const PROFILE_FIELDS = ['first_name', 'last_name', 'avatar_url'];

export function presentUser(row: Row) {
  const user: Record<string, unknown> = {};
  for (const field of USER_FIELDS) if (field in row) user[field] = row[field];
  user.profile = Object.fromEntries(PROFILE_FIELDS.map((field) => [field, row[field] ?? null]));
  return user;
}

export function presentProject(aggregate: ProjectAggregate) {
  return {
    ...aggregate.project,
    files_count: aggregate.filesCount,
    workflows: aggregate.workflows.map(({ id, job_type, status, ...rest }) => ({ id, type: job_type, status: status ?? null, ...rest })),
  };
}
