import { receivedIndexes, type UploadSession } from '../../../domain/storage/upload-session';

/** Progress of a session; the completion estimate extrapolates the pace so far (null before any chunk). */
export function presentProgress(session: UploadSession, now: Date) {
  const uploaded = receivedIndexes(session).length;
  const remaining = session.totalChunks - uploaded;
  const elapsed = now.getTime() - session.createdAt.getTime();
  const estimate = uploaded === 0 ? null : new Date(now.getTime() + (elapsed / uploaded) * remaining).toISOString();
  return {
    progress_percent: Math.floor((uploaded / session.totalChunks) * 100),
    chunks_uploaded: uploaded,
    chunks_remaining: remaining,
    estimated_completion: estimate,
  };
}

export function presentSession(session: UploadSession, now: Date) {
  const received = receivedIndexes(session);
  const all = Array.from({ length: session.totalChunks }, (_, i) => i);
  return {
    upload_session: {
      session_id: session.id,
      status: session.status,
      file_id: session.fileId,
      filename: session.filename,
      file_size: session.sizeBytes,
      chunk_size: session.chunkSize,
      total_chunks: session.totalChunks,
      expires_at: session.expiresAt.toISOString(),
    },
    chunks: received.map((index) => ({ index, checksum_md5: session.chunks[index]! })),
    missing_chunks: all.filter((i) => session.chunks[i] === undefined),
    upload: presentProgress(session, now),
  };
}
