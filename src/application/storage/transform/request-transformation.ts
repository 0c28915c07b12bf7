import { randomUUID } from 'node:crypto';
import type { Caller, Role } from '../../../domain/auth/caller';
import type { Clock } from '../../ports/clock.port';
import type { FileRepository } from '../../ports/file-repository.port';
import type { JobQueue } from '../../ports/job-queue.port';
import type { Transformation, TransformationRepository } from '../../ports/transformation-repository.port';
import { accessibleFile } from '../files/accessible-file';
import { planTransformation, type Engines, type TransformPlan } from './transform-plan';

export interface TransformationRequest {
  caller: Caller;
  sourceFileId: string;
  type: string;
  parameters: Record<string, unknown>;
  outputName: string | null;
}

/** Rough seconds per job, for estimated_completion: image work is quick, media and OCR are not. */
const SECONDS_PER_JOB: Record<TransformPlan['engine'], number> = { image: 5, page: 10, media: 60, waveform: 20, text: 30 };

/** The job's payload: what the worker cannot read from the row. */
export interface TransformationPayload extends Record<string, unknown> {
  ownerRole: Role;
}

/**
 * POST /storage/transform without the HTTP: the source must be the caller's (or the caller an admin),
 * the combination must be in the matrix and the parameters valid, all before anything is queued.
 * The row is written first, then the job: a job always has its row.
 */
export class RequestTransformation {
  constructor(
    private readonly files: FileRepository,
    private readonly transformations: TransformationRepository,
    private readonly queue: JobQueue,
    private readonly engines: () => Engines,
    private readonly clock: Clock,
    private readonly concurrency: number,
  ) {}

  async execute(request: TransformationRequest): Promise<{ transformation: Transformation; queuePosition: number; estimatedCompletion: Date }> {
    const source = await accessibleFile(this.files, request.caller, request.sourceFileId);
    const plan = planTransformation(request.type, source.mimeType, request.parameters, this.engines());
    const transformation: Transformation = {
      id: randomUUID(),
      sourceFileId: source.id,
      targetFileId: null,
      userId: source.userId,
      type: request.type,
      parameters: request.parameters,
      outputName: request.outputName,
      status: 'queued',
      progressPercent: 0,
      errorMessage: null,
      attempts: 0,
      startedAt: null,
      completedAt: null,
      processingTimeMs: null,
      createdAt: this.clock.now(),
    };
    await this.transformations.insert(transformation);
    // The owner's role sets the quota the output counts against; an admin acting on another's file cannot know it, so: user.
    const payload: TransformationPayload = { ownerRole: source.userId === request.caller.userId ? request.caller.role : 'user' };
    try {
      await this.queue.enqueue({ id: transformation.id, payload });
    } catch (error) {
      await this.transformations.fail(transformation.id, 'The job could not be queued', this.clock.now()).catch(() => undefined);
      throw error;
    }
    const queuePosition = (await this.transformations.queuedAhead(transformation.id)) + 1;
    const waves = Math.ceil(queuePosition / Math.max(1, this.concurrency));
    const estimatedCompletion = new Date(transformation.createdAt.getTime() + waves * SECONDS_PER_JOB[plan.engine] * 1000);
    return { transformation, queuePosition, estimatedCompletion };
  }
}
