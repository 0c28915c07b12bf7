import type { Request } from 'express';

/**
 * The request body as bytes, at most `limit` + 1 of them: reading stops as soon as the body is known to
 * be longer than `limit`, and the caller refuses it (the connection is then closed, see the routes).
 */
export async function readRawBody(req: Request, limit: number): Promise<Buffer> {
  const declared = Number(req.get('content-length') ?? NaN);
  // Announced too long: only the length matters to the caller, which refuses it before looking further.
  if (declared > limit) return Buffer.alloc(limit + 1);
  const parts: Buffer[] = [];
  let size = 0;
  for await (const part of req) {
    const chunk = part as Buffer;
    size += chunk.length;
    parts.push(chunk);
    if (size > limit) break;
  }
  return Buffer.concat(parts).subarray(0, limit + 1);
}
