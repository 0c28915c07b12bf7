import type { Caller } from '../../../domain/auth/caller';
import { canAccess } from '../../../domain/auth/ownership';
import type { PurgeRequest } from '../../../domain/storage/cdn-purge';
import { NotFound } from '../../../domain/shared/errors';
import type { PurgeRequestRepository } from '../../ports/purge-request-repository.port';

/** A purge request of the caller's (an admin: anyone's); anyone else's is a 404. */
export class GetCdnPurge {
  constructor(private readonly requests: PurgeRequestRepository) {}

  async execute(input: { caller: Caller; id: string }): Promise<PurgeRequest> {
    const request = await this.requests.findById(input.id);
    if (!request || !canAccess(input.caller, request)) throw new NotFound('Purge request not found', { purge_id: input.id });
    return request;
  }
}
