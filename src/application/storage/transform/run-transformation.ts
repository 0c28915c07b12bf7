import type { Readable } from 'node:stream';
import { DomainError } from '../../../domain/shared/domain-error';
import { sanitizeFileName } from '../../../domain/storage/file-path';
import type { StoredFile } from '../../../domain/storage/stored-file';
import type { Clock } from '../../ports/clock.port';
import type { DocumentRenderer } from '../../ports/document-renderer.port';
import type { FileRepository } from '../../ports/file-repository.port';
import type { ImageTransformer } from '../../ports/image-transformer.port';
import type { QueuedJob } from '../../ports/job-queue.port';
import type { Logger } from '../../ports/logger.port';
import type { MediaTransformer } from '../../ports/media-transformer.port';
import type { ObjectStore } from '../../ports/object-store.port';
import type { ScratchFolder, ScratchFolders } from '../../ports/scratch-folders.port';
import type { TextExtractor } from '../../ports/text-extractor.port';
import type { Transformation, TransformationRepository } from '../../ports/transformation-repository.port';
import type { RemoveStoredFile } from '../files/remove-stored-file';
import type { TransformationPayload } from './request-transformation';
import type { StoreDerivedFile } from './store-derived-file';
import type { FileContent } from '../encryption/file-content';
import { planTransformation, type TransformPlan } from './transform-plan';

export interface TransformEngines {
  image: ImageTransformer;
  media: MediaTransformer | null;
  text: TextExtractor | null;
  /** Draws the first page of documents, for their thumbnails. */
  pages: DocumentRenderer | null;
  /** Draws waveform peaks (0..1) as a PNG; comes with the media engine. */
  drawWaveform: (peaks: number[], size: { width: number; height: number }) => Buffer;
  /** Where the media engine's input and output files live while it works. */
  scratch: ScratchFolders;
}

export interface RunTransformationSettings {
  timeoutMs: number;
  /** How often a running job looks for its cancellation (a DELETE may reach another instance). */
  cancelPollMs: number;
}

/** The error_message of a job whose worker died on its last attempt. */
export const ABANDONED_MESSAGE = 'The worker running it stopped before it finished (no outcome within TRANSFORM_TIMEOUT_SECONDS on its last attempt)';

class Cancelled extends Error {}
class TimedOut extends Error {}

/**
 * The worker's side of a job: source from the ObjectStore, the engine, the output through
 * StoreDerivedFile, progress and outcome on the row. A failure the input explains (corrupt,
 * unsupported, over quota) fails the job at once; anything else is retried by the queue, and on the
 * last attempt fails it with TRANSFORMATION_FAILED's message. Cancelled or failed, nothing is left.
 */
export class RunTransformation {
  constructor(
    private readonly transformations: TransformationRepository,
    private readonly files: FileRepository,
    private readonly store: ObjectStore,
    private readonly engines: TransformEngines,
    private readonly storeDerivedFile: StoreDerivedFile,
    private readonly removeStoredFile: RemoveStoredFile,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly settings: RunTransformationSettings,
    /** Reads sources stored encrypted. */
    private readonly content: FileContent | null = null,
  ) {}

  private async sourceBytes(source: StoredFile): Promise<Readable> {
    return this.content ? this.content.read(source) : this.store.get(source.filePath);
  }

  async execute(job: QueuedJob): Promise<void> {
    const started = this.clock.now();
    const transformation = await this.transformations.start(job.id, started);
    if (!transformation) return; // cancelled (or already finished by an earlier delivery)
    const controller = new AbortController();
    const timedOut = new TimedOut(`Timed out after ${Math.round(this.settings.timeoutMs / 1000)} s (TRANSFORM_TIMEOUT_SECONDS)`);
    const timeout = setTimeout(() => controller.abort(timedOut), this.settings.timeoutMs);
    const watch = setInterval(() => {
      void this.transformations.statusOf(job.id).then((status) => {
        if (status === 'cancelled') controller.abort(new Cancelled('cancelled'));
      }, () => undefined);
    }, this.settings.cancelPollMs);
    try {
      await this.run(transformation, job.payload as TransformationPayload, controller.signal, started);
    } catch (error) {
      if (controller.signal.reason instanceof Cancelled || error instanceof Cancelled) return;
      // Whatever the engine throws when aborted, a timeout is reported as one.
      const message = controller.signal.reason === timedOut ? timedOut.message : error instanceof Error ? error.message : String(error);
      if (error instanceof DomainError || job.lastAttempt) {
        await this.transformations.fail(job.id, message, this.clock.now());
        this.logger.warn({ transformationId: job.id, attempt: job.attempt, err: { message } }, 'transformation failed');
        return;
      }
      this.logger.warn({ transformationId: job.id, attempt: job.attempt, err: { message } }, 'transformation attempt failed; the queue retries it');
      throw error;
    } finally {
      clearTimeout(timeout);
      clearInterval(watch);
    }
  }

  /**
   * The queue gave the job up without an outcome on its row (the worker running its last attempt died,
   * or hung past TRANSFORM_TIMEOUT_SECONDS): failed, so it does not stay `processing` forever. A
   * derived object the dead worker was writing has no row: the orphan sweep removes it.
   */
  async abandoned(id: string): Promise<void> {
    const failed = await this.transformations.fail(id, ABANDONED_MESSAGE, this.clock.now());
    if (failed) this.logger.warn({ transformationId: id }, 'transformation failed: its worker stopped on the last attempt');
  }

  private async run(t: Transformation, payload: TransformationPayload, signal: AbortSignal, started: Date): Promise<void> {
    const source = await this.files.findById(t.sourceFileId);
    if (!source || source.deletedAt) throw new SourceGone('The source file no longer exists');
    const plan = planTransformation(t.type, source.mimeType, t.parameters, {
      media: this.engines.media !== null,
      text: this.engines.text ? { accepts: this.engines.text.accepts } : null,
      pages: this.engines.pages ? { accepts: this.engines.pages.accepts } : null,
    });
    let reported = 0;
    const onProgress = (percent: number) => {
      const rounded = Math.min(99, Math.max(0, Math.floor(percent)));
      if (rounded < reported + 5) return;
      reported = rounded;
      void this.transformations.progress(t.id, rounded).catch(() => undefined);
    };
    const name = outputName(t, source, plan);
    const store = async (data: Buffer | Readable) => {
      if (signal.aborted) throw signal.reason;
      return this.storeDerivedFile.execute({
        owner: { userId: t.userId, role: payload.ownerRole },
        source,
        name,
        data,
        metadata: { transformation_id: t.id, source_file_id: source.id, transformation_type: t.type },
        // Waveform peaks are JSON, which sniffing alone would store as text/plain.
        ...(plan.extension === 'json' ? { mimeType: 'application/json' } : {}),
      });
    };
    // Audio and video go file to file and are streamed both ways: a long video is never held in memory.
    const { file, created } =
      plan.engine === 'media' || plan.engine === 'waveform'
        ? await this.withFiles(source, plan.extension, async (folder, inputPath, outputPath) =>
            store(await this.produceMedia(plan, folder, inputPath, outputPath, onProgress, signal)),
          )
        : await store(await this.produce(plan, source, await readAll(await this.sourceBytes(source)), onProgress, signal));
    const finished = this.clock.now();
    if (!(await this.transformations.complete(t.id, file.id, finished, finished.getTime() - started.getTime()))) {
      // Cancelled while the output was being stored: it goes.
      if (created) await this.removeStoredFile.execute(file);
      throw new Cancelled('cancelled');
    }
  }

  private async produce(plan: InMemoryPlan, source: StoredFile, input: Buffer, onProgress: (p: number) => void, signal: AbortSignal): Promise<Buffer> {
    switch (plan.engine) {
      case 'image':
        return (await this.engines.image.transform(input, plan.operation)).data;
      case 'page': {
        const page = await this.engines.pages!.renderFirstPage(input, { width: plan.renderWidth }, signal);
        onProgress(80);
        return (await this.engines.image.transform(page, plan.operation)).data;
      }
      case 'text': {
        const { text } = await this.engines.text!.extract(input, source.mimeType, { onProgress, signal });
        return Buffer.from(text, 'utf8');
      }
    }
  }

  /** The output as a stream of the file ffmpeg wrote (or, for waveforms, the small JSON/PNG it drew). */
  private async produceMedia(
    plan: FilePlan,
    folder: ScratchFolder,
    inputPath: string,
    outputPath: string,
    onProgress: (p: number) => void,
    signal: AbortSignal,
  ): Promise<Buffer | Readable> {
    const media = this.engines.media!;
    if (plan.engine === 'waveform') {
      const peaks = await media.waveformPeaks(inputPath, plan.points);
      if (plan.image) return this.engines.drawWaveform(peaks, plan.image);
      return Buffer.from(JSON.stringify({ points: peaks.length, peaks }));
    }
    await media.transform(inputPath, outputPath, plan.operation, { onProgress, signal });
    return folder.read(outputPath);
  }

  /** ffmpeg works file to file (many containers need seeking): the source streamed into a private scratch folder, always removed. */
  private async withFiles<T>(
    source: StoredFile,
    extension: string,
    work: (folder: ScratchFolder, inputPath: string, outputPath: string) => Promise<T>,
  ): Promise<T> {
    return this.engines.scratch.use(async (folder) => {
      const { extension: sourceExtension } = sanitizeFileName(source.originalName);
      const inputPath = await folder.write(sourceExtension ? `input.${sourceExtension}` : 'input', await this.sourceBytes(source));
      return work(folder, inputPath, folder.pathOf(`output.${extension}`));
    });
  }
}

/** Audio and video (and their waveforms) go through ffmpeg file to file; everything else is small enough for memory. */
type FilePlan = Extract<TransformPlan, { engine: 'media' | 'waveform' }>;
type InMemoryPlan = Exclude<TransformPlan, FilePlan>;

class SourceGone extends DomainError {
  readonly code = 'TRANSFORMATION_FAILED';
}

function outputName(t: Transformation, source: StoredFile, plan: TransformPlan): string {
  if (t.outputName) return t.outputName;
  const { base } = sanitizeFileName(source.originalName);
  return `${base}_${t.type}.${plan.extension}`;
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks);
}
