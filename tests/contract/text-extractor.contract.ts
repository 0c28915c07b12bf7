import type { TextExtractor } from '../../src/application/ports/text-extractor.port';
import { TransformationFailed, UnsupportedTransformation } from '../../src/domain/storage/errors';

export interface TextSample {
  mimeType: string;
  make: () => Promise<Buffer> | Buffer;
  /** Words the extracted text holds, compared case-insensitively after collapsing whitespace. */
  says: string[];
  /** OCR output: a word may come back with one character wrong ("WOELD"). */
  noisy?: boolean;
  /** The same type with a broken body (right magic number where the format has one). */
  corrupt: () => Promise<Buffer> | Buffer;
}

export interface TextExtractorUnderTest {
  extractor: TextExtractor;
  samples: TextSample[];
  close(): Promise<void>;
}

const normalized = (text: string) => text.replace(/\s+/g, ' ').toLowerCase();

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length]!;
}

/** The word itself, or for OCR a word of the text at most one edit away from it. */
export function saysWord(text: string, word: string, noisy = false): boolean {
  if (normalized(text).includes(word.toLowerCase())) return true;
  return noisy && normalized(text).split(/[^\p{L}\p{N}]+/u).some((w) => editDistance(w, word.toLowerCase()) <= 1);
}

/** What every TextExtractor promises: its types read, text out, corrupt or foreign input refused with a domain error. */
export function textExtractorContract(name: string, make: () => Promise<TextExtractorUnderTest> | TextExtractorUnderTest, timeoutMs = 30_000): void {
  describe(`${name} (TextExtractor contract)`, () => {
    let s: TextExtractorUnderTest;
    beforeAll(async () => {
      s = await make();
    }, timeoutMs);
    afterAll(() => s.close(), timeoutMs);

    it('accepts each type it has a sample for', () => {
      for (const sample of s.samples) expect(s.extractor.accepts).toContain(sample.mimeType);
    });

    it('reads the words of each sample, reporting progress up to 100', async () => {
      for (const sample of s.samples) {
        const progress: number[] = [];
        const { text } = await s.extractor.extract(await sample.make(), sample.mimeType, { onProgress: (p) => progress.push(p) });
        for (const word of sample.says) expect({ text, says: word, found: saysWord(text, word, sample.noisy) }).toEqual({ text, says: word, found: true });
        expect(progress.at(-1)).toBe(100);
        expect(progress.every((p, i) => p >= 0 && p <= 100 && (i === 0 || p >= progress[i - 1]!))).toBe(true);
      }
    }, timeoutMs);

    it('refuses a corrupt file of each type with TransformationFailed', async () => {
      for (const sample of s.samples) {
        await expect(s.extractor.extract(await sample.corrupt(), sample.mimeType)).rejects.toBeInstanceOf(TransformationFailed);
      }
    }, timeoutMs);

    it('refuses a file whose content is not what its type says', async () => {
      const [first, second] = [s.samples[0]!, s.samples.find((x) => x.mimeType !== s.samples[0]!.mimeType)];
      const foreign = second ? await second.make() : Buffer.from([0, 1, 2, 3, 0, 255, 254, 0]);
      await expect(s.extractor.extract(foreign, first.mimeType)).rejects.toBeInstanceOf(TransformationFailed);
    }, timeoutMs);

    it('refuses a type it does not read with UnsupportedTransformation', async () => {
      await expect(s.extractor.extract(Buffer.from('x'), 'application/x-unknown-kind')).rejects.toBeInstanceOf(UnsupportedTransformation);
    });

    it('rejects with the abort reason when the signal is already aborted', async () => {
      const sample = s.samples[0]!;
      const controller = new AbortController();
      controller.abort(new Error('cancelled by the test'));
      await expect(s.extractor.extract(await sample.make(), sample.mimeType, { signal: controller.signal })).rejects.toThrow('cancelled by the test');
    });
  });
}
