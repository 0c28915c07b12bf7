import { performance } from 'node:perf_hooks';
import type { GetProjectContract } from '../../../application/database/reads/get-project-contract';
import type { GetUserContract } from '../../../application/database/reads/get-user-contract';
import { ErrorBodySchema } from '../openapi/error-schema';
import { presentProject, presentUser } from '../presenters/contracts.presenter';
import type { RouteBuilder } from '../route-builder';
import {
  ProjectContractParamsSchema,
  ProjectContractResponseSchema,
  UserContractParamsSchema,
  UserContractResponseSchema,
} from '../schemas/contracts.schemas';

export interface ContractRouteDeps {
  getUser: GetUserContract;
  getProject: GetProjectContract;
}

const NO_STORE = { 'Cache-Control': 'no-store' };
const SOURCE = 'centralized_contract';
const elapsedSince = (start: number) => Math.round((performance.now() - start) * 100) / 100;

/** 001 "Endpoints de Contrats": scoped and cached like /data/query; what you do not own is a 404. */
export function contractsRoutes(routes: RouteBuilder, deps: ContractRouteDeps): void {
  routes.define({
    method: 'get',
    path: '/api/v1/contracts/user/:user_id',
    tag: 'Contracts',
    auth: 'user',
    summary: 'A user through the centralized contract (yourself, or anyone for an admin)',
    params: UserContractParamsSchema,
    responses: {
      200: { description: 'The user', schema: UserContractResponseSchema },
      404: { description: 'No such user, or not yours', schema: ErrorBodySchema },
    },
    handler: async ({ params }, { caller }) => {
      const start = performance.now();
      const { user, cache } = await deps.getUser.execute({ caller, userId: params.user_id });
      return {
        status: 200,
        body: { user: presentUser(user), source: SOURCE, cache_status: cache, response_time_ms: elapsedSince(start) },
        headers: NO_STORE,
      };
    },
  });

  routes.define({
    method: 'get',
    path: '/api/v1/contracts/project/:project_id',
    tag: 'Contracts',
    auth: 'user',
    summary: 'A project with its files count and workflows (analysis jobs), through the centralized contract',
    params: ProjectContractParamsSchema,
    responses: {
      200: { description: 'The project', schema: ProjectContractResponseSchema },
      404: { description: 'No such project, or not yours', schema: ErrorBodySchema },
    },
    handler: async ({ params }, { caller }) => {
      const start = performance.now();
      const { cache, ...aggregate } = await deps.getProject.execute({ caller, projectId: params.project_id });
      return {
        status: 200,
        body: {
          project: presentProject(aggregate),
          source: SOURCE,
          aggregated_from: aggregate.aggregatedFrom,
          cache_status: cache,
          response_time_ms: elapsedSince(start),
        },
        headers: NO_STORE,
      };
    },
  });
}
