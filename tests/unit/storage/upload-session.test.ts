import { checkChunk, expectedChunkLength, totalChunksFor } from '../../../src/domain/storage/upload-session';

describe('upload session chunks', () => {
  const session = { sizeBytes: 1000, chunkSize: 300, totalChunks: totalChunksFor(1000, 300) };

  it('counts chunks, the last one holding the remainder', () => {
    expect(session.totalChunks).toBe(4);
    expect(expectedChunkLength(session, 0)).toBe(300);
    expect(expectedChunkLength(session, 3)).toBe(100);
    expect(totalChunksFor(900, 300)).toBe(3);
    expect(totalChunksFor(0, 300)).toBe(1);
  });

  it('refuses indexes outside the session and wrong lengths', () => {
    expect(() => checkChunk(session, 0, 300)).not.toThrow();
    expect(() => checkChunk(session, 3, 100)).not.toThrow();
    for (const index of [-1, 4, 1.5]) expect(() => checkChunk(session, index, 300)).toThrow(expect.objectContaining({ code: 'VALIDATION_ERROR' }));
    expect(() => checkChunk(session, 1, 299)).toThrow(expect.objectContaining({ code: 'VALIDATION_ERROR' }));
    expect(() => checkChunk(session, 3, 300)).toThrow(expect.objectContaining({ code: 'VALIDATION_ERROR' }));
  });
});
