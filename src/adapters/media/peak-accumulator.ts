/**
 * Waveform peaks from a stream of s16le mono PCM without holding the audio: each block of
 * BLOCK samples is reduced to its peak as it arrives (an hour at 8 kHz is ~900k numbers), and
 * `peaks(points)` folds those blocks into the requested number of buckets.
 */
export class PeakAccumulator {
  private static readonly BLOCK = 32;
  private readonly blocks: number[] = [];
  private current = 0;
  private inBlock = 0;
  private carry: Buffer | null = null;

  push(chunk: Buffer): void {
    let data = chunk;
    if (this.carry) {
      data = Buffer.concat([this.carry, chunk]);
      this.carry = null;
    }
    const whole = data.length - (data.length % 2);
    for (let i = 0; i < whole; i += 2) {
      const v = Math.abs(data.readInt16LE(i));
      if (v > this.current) this.current = v;
      if (++this.inBlock === PeakAccumulator.BLOCK) this.closeBlock();
    }
    if (whole < data.length) this.carry = data.subarray(whole);
  }

  /** `points` values in 0..1; a silent or empty input gives zeros. */
  peaks(points: number): number[] {
    if (this.inBlock > 0) this.closeBlock();
    const n = this.blocks.length;
    const out: number[] = [];
    for (let p = 0; p < points; p++) {
      if (n === 0) {
        out.push(0);
        continue;
      }
      const from = Math.floor((p * n) / points);
      const to = Math.max(from + 1, Math.floor(((p + 1) * n) / points));
      let peak = 0;
      for (let b = from; b < to && b < n; b++) peak = Math.max(peak, this.blocks[b]!);
      out.push(Math.min(1, peak / 32768));
    }
    return out;
  }

  private closeBlock(): void {
    this.blocks.push(this.current);
    this.current = 0;
    this.inBlock = 0;
  }
}
