import type { Caller } from '../../../domain/auth/caller';
import { Conflict } from '../../../domain/shared/errors';
import type { Clock } from '../../ports/clock.port';
import type { JobQueue } from '../../ports/job-queue.port';
import type { Transformation, TransformationRepository } from '../../ports/transformation-repository.port';
import { accessibleTransformation } from './get-transformation';

/**
 * DELETE /storage/transform/{id}: a queued job never runs; a running one is stopped by its worker,
 * which watches the row, and stores nothing (an output stored in the same instant is removed).
 */
export class CancelTransformation {
  constructor(private readonly transformations: TransformationRepository, private readonly queue: JobQueue, private readonly clock: Clock) {}

  async execute(input: { caller: Caller; id: string }): Promise<Transformation> {
    const transformation = await accessibleTransformation(this.transformations, input.caller, input.id);
    if (!(await this.transformations.cancel(transformation.id, this.clock.now()))) {
      const status = (await this.transformations.statusOf(transformation.id)) ?? transformation.status;
      throw new Conflict(`The transformation is already ${status}`, { transformation_id: transformation.id, status });
    }
    await this.queue.cancel(transformation.id);
    return (await this.transformations.findById(transformation.id)) ?? transformation;
  }
}
