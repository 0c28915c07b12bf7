import { Readable } from 'node:stream';
import type { ExtractedMetadata } from '../../src/application/ports/file-repository.port';
import type { MetadataExtractor } from '../../src/application/ports/metadata-extractor.port';
import { aJpegWithExif, aPdf, aPng, aWav } from '../support/media-fixtures';

const MiB = 1024 * 1024;

/** A stored object read back as CreateStoredFile's `open` gives it, counting what the extractor pulled. */
function storedObject(bytes: Buffer, pieceBytes = 64 * 1024) {
  const opened: Readable[] = [];
  let pulled = 0;
  const open = async () => {
    let at = 0;
    const stream = new Readable({
      read() {
        if (at >= bytes.length) return void this.push(null);
        const piece = bytes.subarray(at, at + pieceBytes);
        at += piece.length;
        pulled += piece.length;
        this.push(piece);
      },
    });
    opened.push(stream);
    return stream;
  };
  return { open, opened, pulled: () => pulled };
}

/**
 * What every MetadataExtractor promises to CreateStoredFile: what a stored image, audio file or PDF
 * says about itself, read through `open` (the stream closed afterwards, never the whole of a large
 * image pulled), and nothing for types it has nothing to say about.
 */
export function metadataExtractorContract(name: string, make: () => MetadataExtractor): void {
  describe(`${name} (MetadataExtractor contract)`, () => {
    const extractor = make();
    const extract = async (bytes: Buffer, mimeType: string): Promise<ExtractedMetadata[]> => {
      const object = storedObject(bytes);
      const found = await extractor.extract({ mimeType, sizeBytes: bytes.length }, object.open);
      // Every stream opened is finished with: a stream left open holds an object-store connection or a file handle.
      for (const stream of object.opened) expect(stream.destroyed || stream.readableEnded).toBe(true);
      return found;
    };

    it("reads a JPEG's dimensions and EXIF", async () => {
      const found = await extract(aJpegWithExif(1920, 1080, { make: 'Canon', model: 'EOS R5', iso: 400, fNumber: 2.8 }), 'image/jpeg');
      expect(found).toEqual([
        { type: 'dimensions', data: { width: 1920, height: 1080 } },
        { type: 'exif', data: expect.objectContaining({ camera: expect.stringMatching(/^Canon EOS R5/), iso: 400, aperture: 'f/2.8' }) },
      ]);
    });

    it("reads a PNG's dimensions, a PDF's pages and info, a WAV's duration", async () => {
      expect(await extract(aPng(3, 9), 'image/png')).toEqual([{ type: 'dimensions', data: { width: 3, height: 9 } }]);
      expect(await extract(await aPdf(4, 'T', 'A'), 'application/pdf')).toEqual([{ type: 'document', data: expect.objectContaining({ pages: 4, title: 'T', author: 'A' }) }]);
      const [media] = await extract(aWav(1), 'audio/wav');
      expect(media?.type).toBe('media');
      expect(media?.data.duration_seconds).toBeCloseTo(1, 1);
    });

    it('has nothing to say about plain text', async () => {
      expect(await extract(Buffer.from('hello'), 'text/plain')).toEqual([]);
    });

    it("reads only the head of a large image, never the whole object", async () => {
      const image = Buffer.concat([aPng(5, 7), Buffer.alloc(24 * MiB)]);
      const object = storedObject(image);
      await expect(extractor.extract({ mimeType: 'image/png', sizeBytes: image.length }, object.open)).resolves.toEqual([{ type: 'dimensions', data: { width: 5, height: 7 } }]);
      expect(object.pulled()).toBeLessThan(4 * MiB);
      for (const stream of object.opened) expect(stream.destroyed).toBe(true);
    });

    it('gives wire-ready entries: a type and a JSON-safe data object', async () => {
      const found = [
        ...(await extract(aJpegWithExif(10, 20, { make: 'Nikon', model: 'Z6', iso: 800, fNumber: 1.8 }), 'image/jpeg')),
        ...(await extract(await aPdf(1, 'Title', 'Author'), 'application/pdf')),
        ...(await extract(aWav(1), 'audio/wav')),
      ];
      expect(found.length).toBeGreaterThanOrEqual(4);
      for (const entry of found) {
        expect(typeof entry.type).toBe('string');
        expect(JSON.parse(JSON.stringify(entry.data))).toEqual(entry.data);
      }
    });
  });
}
