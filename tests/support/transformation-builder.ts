import { randomUUID } from 'node:crypto';
import type { Transformation } from '../../src/application/ports/transformation-repository.port';
import type { StoredFile } from '../../src/domain/storage/stored-file';

/** `aTransformation().of(file).build()`: a freshly queued job (as RequestTransformation writes it) with a fresh id. */
export function aTransformation(): TransformationBuilder {
  return new TransformationBuilder();
}

export class TransformationBuilder {
  private transformation: Transformation = {
    id: randomUUID(),
    sourceFileId: randomUUID(),
    targetFileId: null,
    userId: randomUUID(),
    type: 'thumbnail',
    parameters: { width: 64, height: 64 },
    outputName: null,
    status: 'queued',
    progressPercent: 0,
    errorMessage: null,
    attempts: 0,
    startedAt: null,
    completedAt: null,
    processingTimeMs: null,
    createdAt: new Date(Math.floor(Date.now() / 1000) * 1000),
  };

  /** The source, and so the owner. */
  of(source: Pick<StoredFile, 'id' | 'userId'>): this {
    this.transformation.sourceFileId = source.id;
    this.transformation.userId = source.userId;
    return this;
  }

  ofType(type: string, parameters: Record<string, unknown>): this {
    this.transformation.type = type;
    this.transformation.parameters = parameters;
    return this;
  }

  named(outputName: string): this {
    this.transformation.outputName = outputName;
    return this;
  }

  createdAt(at: Date): this {
    this.transformation.createdAt = at;
    return this;
  }

  build(): Transformation {
    return structuredClone(this.transformation);
  }
}
