import { isAdmin, type Caller } from '../../../domain/auth/caller';
import { canAccess } from '../../../domain/auth/ownership';
import { Forbidden } from '../../../domain/shared/errors';
import type { StoredFile } from '../../../domain/storage/stored-file';
import type { FileRepository } from '../../ports/file-repository.port';
import type { Transformation, TransformationRepository, TransformationStatus } from '../../ports/transformation-repository.port';

export interface ListTransformationsInput {
  caller: Caller;
  /** One user's jobs: the caller's own, or (admins) anyone's. Unset: the caller's own; an admin's: everyone's. */
  userId?: string;
  status?: TransformationStatus;
  sourceFileId?: string;
  page: number;
  limit: number;
}

export interface TransformationListing {
  items: Array<{ transformation: Transformation; sourceFile: StoredFile | null; outputFile: StoredFile | null }>;
  total: number;
}

/** GET /storage/transform: a page of jobs, newest first, with their source and (completed) output files. */
export class ListTransformations {
  constructor(private readonly transformations: TransformationRepository, private readonly files: FileRepository) {}

  async execute(input: ListTransformationsInput): Promise<TransformationListing> {
    const { caller } = input;
    if (input.userId !== undefined && !canAccess(caller, { userId: input.userId })) throw new Forbidden('Only an admin lists another user\'s transformations');
    const userId = input.userId ?? (isAdmin(caller) ? null : caller.userId);
    const page = await this.transformations.list({
      userId,
      page: input.page,
      limit: input.limit,
      ...(input.status ? { status: input.status } : {}),
      ...(input.sourceFileId ? { sourceFileId: input.sourceFileId } : {}),
    });
    const ids = new Set<string>();
    for (const t of page.transformations) {
      ids.add(t.sourceFileId);
      if (t.status === 'completed' && t.targetFileId) ids.add(t.targetFileId);
    }
    const found = new Map<string, StoredFile | null>(await Promise.all([...ids].map(async (id) => [id, await this.files.findById(id)] as const)));
    return {
      items: page.transformations.map((transformation) => ({
        transformation,
        sourceFile: found.get(transformation.sourceFileId) ?? null,
        outputFile: transformation.status === 'completed' && transformation.targetFileId ? (found.get(transformation.targetFileId) ?? null) : null,
      })),
      total: page.total,
    };
  }
}
