/**
 * Pulls a request body in measured amounts: whole parts or blocks to buffer (`take`), or a known
 * length to stream on (`stream`). Whatever the body throws is kept in `failure`, so an adapter can
 * reject with the client's own error rather than the provider error it caused.
 */
export class BodyReader {
  private readonly source: AsyncIterator<Buffer>;
  private leftover: Buffer | null = null;
  private done = false;
  failure: unknown = null;

  constructor(body: AsyncIterable<Buffer>) {
    this.source = body[Symbol.asyncIterator]();
  }

  /** True once the body has ended and everything read from it was handed out. */
  get ended(): boolean {
    return this.done && !this.leftover;
  }

  /** Up to `max` bytes, fewer only when the body ends first; at most `max` bytes held at once. */
  async take(max: number): Promise<Buffer> {
    const parts: Buffer[] = [];
    let size = 0;
    for await (const piece of this.pieces(max)) {
      parts.push(piece);
      size += piece.length;
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts, size);
  }

  /** The next `length` bytes as they arrive; throws if the body ends before them. */
  async *stream(length: number): AsyncGenerator<Buffer> {
    let sent = 0;
    for await (const piece of this.pieces(length)) {
      sent += piece.length;
      yield piece;
    }
    if (sent < length) throw new Error(`The body ended ${length - sent} bytes before the end of a part that is streamed whole`);
  }

  /** Whether any byte is left, without consuming it. */
  async hasMore(): Promise<boolean> {
    if (this.leftover) return true;
    const next = await this.next();
    if (next) this.leftover = next;
    return next !== null;
  }

  private async *pieces(max: number): AsyncGenerator<Buffer> {
    let left = max;
    while (left > 0) {
      const piece = this.leftover ?? (await this.next());
      this.leftover = null;
      if (!piece) return;
      if (piece.length > left) {
        this.leftover = piece.subarray(left);
        yield piece.subarray(0, left);
        return;
      }
      left -= piece.length;
      yield piece;
    }
  }

  private async next(): Promise<Buffer | null> {
    if (this.done) return null;
    try {
      for (;;) {
        const { value, done } = await this.source.next();
        if (done) {
          this.done = true;
          return null;
        }
        if (value.length > 0) return value;
      }
    } catch (error) {
      this.done = true;
      this.failure = error;
      throw error;
    }
  }
}
