import { FileTypeSniffer } from '../../src/adapters/media/file-type-sniffer';
import { InlineContentHasher } from '../../src/adapters/hashing/inline-content-hasher';
import { InMemoryTransformationRepository } from '../../src/adapters/in-memory/fakes/in-memory-transformation-repository';
import type { ImageOperation, ImageTransformer } from '../../src/application/ports/image-transformer.port';
import type { JobQueue } from '../../src/application/ports/job-queue.port';
import type { ScratchFolders } from '../../src/application/ports/scratch-folders.port';
import type { TextExtractor } from '../../src/application/ports/text-extractor.port';
import { CancelTransformation } from '../../src/application/storage/transform/cancel-transformation';
import { GetTransformation } from '../../src/application/storage/transform/get-transformation';
import { RequestTransformation } from '../../src/application/storage/transform/request-transformation';
import { RunTransformation } from '../../src/application/storage/transform/run-transformation';
import { StoreDerivedFile } from '../../src/application/storage/transform/store-derived-file';
import type { Engines } from '../../src/application/storage/transform/transform-plan';
import { CreateStoredFile } from '../../src/application/storage/uploads/create-stored-file';
import type { Role } from '../../src/domain/auth/caller';
import type { ContentCipher } from '../../src/application/ports/content-cipher.port';
import { FileContent } from '../../src/application/storage/encryption/file-content';
import { aCaller } from './caller-builder';
import { aFile } from './file-builder';
import { aPng } from './media-fixtures';
import { storedFilesWorld } from './stored-files-world';

/** A JobQueue that only records: jobs are run by calling RunTransformation directly. */
export class RecordingJobQueue implements JobQueue {
  readonly enqueued: Array<{ id: string; payload: Record<string, unknown> }> = [];
  readonly cancelled: string[] = [];
  refuse = false;

  async enqueue(job: { id: string; payload: Record<string, unknown> }): Promise<void> {
    if (this.refuse) throw new Error('queue unavailable');
    this.enqueued.push(job);
  }

  async cancel(id: string): Promise<void> {
    this.cancelled.push(id);
  }

  async work(): Promise<void> {}

  async close(): Promise<void> {}
}

/**
 * An image engine that draws a PNG of the asked size, or does what the test says instead (throw,
 * take time, cancel the job meanwhile); it records the operations it was given and what it drew.
 */
export class ScriptedImageTransformer implements ImageTransformer {
  readonly name = 'scripted';
  readonly operations: ImageOperation[] = [];
  readonly outputs: Buffer[] = [];
  /** What it was given to transform (the source's plaintext). */
  readonly inputs: Array<Buffer | unknown> = [];
  before: () => Promise<void> = async () => undefined;

  async transform(input: unknown, operation: ImageOperation) {
    this.inputs.push(input);
    this.operations.push(operation);
    await this.before();
    const width = operation.width ?? 4;
    const height = operation.height ?? 4;
    const data = aPng(width, height);
    this.outputs.push(data);
    return { data, format: 'png' as const, width, height };
  }
}

/** Only the media engine works in scratch folders, and this world has none. */
const NO_SCRATCH: ScratchFolders = {
  use: async () => {
    throw new Error('no media engine here: nothing needs a scratch folder');
  },
};

const TEXT: TextExtractor = { name: 'fake-text', accepts: ['application/pdf'], extract: async () => ({ text: 'extracted' }) };

/**
 * The transformation use cases over the in-memory fakes, as the composition root wires them; outputs
 * go through the real StoreDerivedFile and CreateStoredFile. Quotas: `user` 10,000 bytes.
 */
export function transformationsWorld(options: { quotaBytes?: Record<Role, number | null>; timeoutMs?: number; cipher?: ContentCipher } = {}) {
  const w = storedFilesWorld();
  // With a cipher, sources are read and outputs written encrypted, as with a keyring configured.
  const content = options.cipher ? new FileContent(w.store, options.cipher, w.logger) : null;
  const transformations = new InMemoryTransformationRepository();
  const queue = new RecordingJobQueue();
  const image = new ScriptedImageTransformer();
  const engines: Engines = { media: false, text: { accepts: TEXT.accepts }, pages: null };
  const create = new CreateStoredFile(w.store, w.files, new FileTypeSniffer(), { extract: async () => [] }, w.clock, w.logger, {
    maxFileSizeBytes: 1_000_000,
    allowedMimeTypes: ['image/png', 'text/plain', 'application/pdf'],
    quotaBytes: options.quotaBytes ?? { user: 10_000, premium: null, admin: null },
  }, null, null, content);
  const derived = new StoreDerivedFile(w.store, w.files, create, 1_000_000, new InlineContentHasher(), content);
  const run = new RunTransformation(
    transformations,
    w.files,
    w.store,
    { image, media: null, text: TEXT, pages: null, drawWaveform: () => Buffer.alloc(0), scratch: NO_SCRATCH },
    derived,
    w.remove,
    w.clock,
    w.logger,
    { timeoutMs: options.timeoutMs ?? 5_000, cancelPollMs: 5 },
    content,
  );
  return {
    ...w,
    transformations,
    queue,
    image,
    content,
    request: new RequestTransformation(w.files, transformations, queue, () => engines, w.clock, 2),
    run,
    get: new GetTransformation(transformations, w.files),
    cancel: new CancelTransformation(transformations, queue, w.clock),
  };
}

/** A transformationsWorld where a fresh owner has a PNG and asked for a resize of it: the row, and its job as the queue delivers it. */
export async function aRequestedResize() {
  const w = transformationsWorld();
  const owner = aCaller().build();
  const source = await w.stored(aFile().ownedBy(owner.userId));
  const { transformation } = await w.request.execute({ caller: owner, sourceFileId: source.id, type: 'image_resize', parameters: { width: 8, format: 'png' }, outputName: null });
  const job = { id: transformation.id, payload: w.queue.enqueued[0]!.payload, attempt: 1, lastAttempt: false };
  return { ...w, owner, source, transformation, job };
}
