import { expectedChunkLength, type UploadSession } from '../../../domain/storage/upload-session';
import type { ResumableHasher } from '../../ports/resumable-hasher.port';
import type { UploadSessionRepository } from '../../ports/upload-session-repository.port';
import type { UploadStaging } from '../../ports/upload-staging.port';

/**
 * Extends a seed session's hashed prefix over the chunks that arrived ahead of it and are now next:
 * each is read back from the staged object once, in order, and the new state is committed in one
 * update. Of two requests doing this at once, one commits; the other starts again from where the
 * session then stands. Returns the session as it now stands.
 */
export async function hashReceivedPrefix(
  session: UploadSession,
  deps: { sessions: UploadSessionRepository; staging: UploadStaging; hasher: ResumableHasher },
): Promise<UploadSession> {
  let current: UploadSession | null = session;
  while (current && current.status === 'uploading' && current.receivedBytes < current.sizeBytes) {
    const from = current.receivedBytes;
    // A prefix that is not a chunk boundary was written by tus appends: no chunks to continue it.
    if (from % current.chunkSize !== 0) break;
    let to = from;
    for (let index = from / current.chunkSize; index < current.totalChunks && current.chunks[index] !== undefined; index++) {
      to += expectedChunkLength(current, index);
    }
    if (to === from) break;
    const run = await deps.hasher.resume(current.hashState);
    for await (const piece of await deps.staging.read(current.key, current.uploadId, { start: from, end: to - 1 })) {
      const taken = run.update(piece as Buffer);
      if (taken) await taken;
    }
    const advanced: UploadSession | null = await deps.sessions.advance(current.id, from, to, await run.save());
    current = advanced ?? (await deps.sessions.findById(current.id));
  }
  return current ?? session;
}

type PrefixDeps = Parameters<typeof hashReceivedPrefix>[1];

/**
 * One prefix hashing per session at a time in this process. With chunks sent in parallel, several
 * requests finish at about the same moment and each would read back and hash the same chunks (only
 * one commit wins, the others start again): up to one more pass over the bytes per parallel chunk,
 * measured at 42 s of CPU per GiB with 4 in parallel. A request that finds a hashing under way asks
 * it to look once more when it ends (its own chunk is recorded by then) and takes its result.
 * Processes still race each other as above; the database keeps that correct.
 */
export class PrefixHashing {
  private readonly running = new Map<string, { again: boolean; done: Promise<UploadSession> }>();

  constructor(private readonly deps: PrefixDeps) {}

  extend(session: UploadSession): Promise<UploadSession> {
    const underway = this.running.get(session.id);
    if (underway) {
      underway.again = true;
      return underway.done;
    }
    const entry: { again: boolean; done: Promise<UploadSession> } = { again: false, done: Promise.resolve(session) };
    entry.done = (async () => {
      let current = await hashReceivedPrefix(session, this.deps);
      while (entry.again) {
        entry.again = false;
        const fresh = await this.deps.sessions.findById(session.id);
        if (!fresh) break;
        current = await hashReceivedPrefix(fresh, this.deps);
      }
      return current;
    })().finally(() => this.running.delete(session.id));
    this.running.set(session.id, entry);
    return entry.done;
  }
}
