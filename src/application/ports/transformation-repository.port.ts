export type TransformationStatus = 'queued' | 'processing' | 'completed' | 'failed' | 'cancelled';

/** A file_transformations row: the job and its outcome. */
export interface Transformation {
  id: string;
  sourceFileId: string;
  targetFileId: string | null;
  /** Owner of the source, and so of the output. */
  userId: string;
  type: string;
  parameters: Record<string, unknown>;
  outputName: string | null;
  status: TransformationStatus;
  progressPercent: number;
  errorMessage: string | null;
  attempts: number;
  startedAt: Date | null;
  completedAt: Date | null;
  processingTimeMs: number | null;
  createdAt: Date;
}

export interface TransformationListQuery {
  /** null: every user's jobs (admin). */
  userId: string | null;
  status?: TransformationStatus;
  sourceFileId?: string;
  page: number;
  limit: number;
}

/**
 * Each state change is conditional on the current status, so a cancel racing a worker has one
 * winner: whichever update finds the status it expects.
 */
export interface TransformationRepository {
  insert(transformation: Transformation): Promise<void>;
  findById(id: string): Promise<Transformation | null>;
  /** Queued jobs created before this one. */
  queuedAhead(id: string): Promise<number>;
  /** queued (or processing, on a retry) → processing, attempts + 1; null when cancelled or finished. */
  start(id: string, at: Date): Promise<Transformation | null>;
  progress(id: string, percent: number): Promise<void>;
  complete(id: string, targetFileId: string, at: Date, processingTimeMs: number): Promise<boolean>;
  fail(id: string, message: string, at: Date): Promise<boolean>;
  /** queued or processing → cancelled. */
  cancel(id: string, at: Date): Promise<boolean>;
  statusOf(id: string): Promise<TransformationStatus | null>;
  /** Newest first (then by id), one page, with the total matching. */
  list(query: TransformationListQuery): Promise<{ transformations: Transformation[]; total: number }>;
}
