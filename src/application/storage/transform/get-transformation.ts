import type { Caller } from '../../../domain/auth/caller';
import { canAccess } from '../../../domain/auth/ownership';
import { NotFound } from '../../../domain/shared/errors';
import type { StoredFile } from '../../../domain/storage/stored-file';
import type { FileRepository } from '../../ports/file-repository.port';
import type { Transformation, TransformationRepository } from '../../ports/transformation-repository.port';

/** The job if the caller owns its source (or is an admin); anyone else gets the same 404 as for an unknown id. */
export async function accessibleTransformation(transformations: TransformationRepository, caller: Caller, id: string): Promise<Transformation> {
  const transformation = await transformations.findById(id);
  if (!transformation || !canAccess(caller, transformation)) {
    throw new NotFound('Transformation not found', { transformation_id: id });
  }
  return transformation;
}

export class GetTransformation {
  constructor(private readonly transformations: TransformationRepository, private readonly files: FileRepository) {}

  async execute(input: { caller: Caller; id: string }): Promise<{ transformation: Transformation; outputFile: StoredFile | null }> {
    const transformation = await accessibleTransformation(this.transformations, input.caller, input.id);
    const outputFile = transformation.status === 'completed' && transformation.targetFileId ? await this.files.findById(transformation.targetFileId) : null;
    return { transformation, outputFile };
  }
}
