import type { Readable } from 'node:stream';
import { decideRange, entityTag, ifRangeHolds, noneMatchHits, type ByteRange } from '../../../domain/storage/byte-range';
import type { StoredFile } from '../../../domain/storage/stored-file';
import type { ObjectStore } from '../../ports/object-store.port';
import type { FileContent } from '../encryption/file-content';

export interface StreamRequest {
  file: StoredFile;
  range?: string;
  ifRange?: string;
  ifNoneMatch?: string;
  /** HEAD: decide everything, open nothing. */
  headOnly: boolean;
}

export type StreamOutcome =
  | { kind: 'not_modified'; etag: string; lastModified: Date }
  | { kind: 'unsatisfiable'; size: number }
  | { kind: 'full' | 'partial'; etag: string; lastModified: Date; size: number; range: ByteRange | null; body: Readable | null };

/**
 * A file's bytes as HTTP Range asks for them (RFC 9110): a single range read from the provider (never
 * the whole object), the whole file when the range is absent, multiple, invalid or stale (If-Range),
 * 304 when the client's copy is current. Validators come from the row: the content never changes.
 */
export class StreamFile {
  constructor(
    private readonly store: ObjectStore,
    /** Decrypts encrypted files, fetching only the segments a range touches. */
    private readonly content: FileContent | null = null,
  ) {}

  async execute(request: StreamRequest): Promise<StreamOutcome> {
    const { file } = request;
    const etag = entityTag(file.checksumSha256);
    const lastModified = file.createdAt;
    if (noneMatchHits(request.ifNoneMatch, etag)) return { kind: 'not_modified', etag, lastModified };
    const decision = ifRangeHolds(request.ifRange, etag, lastModified) ? decideRange(request.range, file.sizeBytes) : { kind: 'full' as const };
    if (decision.kind === 'unsatisfiable') return { kind: 'unsatisfiable', size: file.sizeBytes };
    const range = decision.kind === 'partial' ? decision.range : null;
    let body: Readable | null = null;
    if (!request.headOnly && this.content) body = await this.content.read(file, range ?? undefined);
    else if (!request.headOnly) body = range ? await this.store.get(file.filePath, range) : await this.store.get(file.filePath);
    return { kind: decision.kind, etag, lastModified, size: file.sizeBytes, range, body };
  }
}
