import { Readable } from 'node:stream';
import { MediaMetadataExtractor } from '../../../src/adapters/media/media-metadata-extractor';
import { aJpegWithExif, aPdf, aPng, aWav } from '../../support/media-fixtures';

const extractor = new MediaMetadataExtractor();
const extract = (bytes: Buffer, mimeType: string) => extractor.extract({ mimeType, sizeBytes: bytes.length }, async () => Readable.from([bytes]));

describe('MediaMetadataExtractor', () => {
  it('reads a JPEG\'s dimensions and EXIF', async () => {
    const found = await extract(aJpegWithExif(1920, 1080, { make: 'Canon', model: 'EOS R5', iso: 400, fNumber: 2.8 }), 'image/jpeg');
    expect(found).toEqual([
      { type: 'dimensions', data: { width: 1920, height: 1080 } },
      { type: 'exif', data: expect.objectContaining({ camera: expect.stringMatching(/^Canon EOS R5/), iso: 400, aperture: 'f/2.8' }) },
    ]);
  });

  it('reads a PNG\'s dimensions, a PDF\'s pages and info, a WAV\'s duration', async () => {
    expect(await extract(aPng(3, 9), 'image/png')).toEqual([{ type: 'dimensions', data: { width: 3, height: 9 } }]);
    expect(await extract(await aPdf(4, 'T', 'A'), 'application/pdf')).toEqual([{ type: 'document', data: expect.objectContaining({ pages: 4, title: 'T', author: 'A' }) }]);
    const [media] = await extract(aWav(1), 'audio/wav');
    expect(media?.data.duration_seconds).toBeCloseTo(1, 1);
  });

  it('has nothing to say about plain text', async () => {
    expect(await extract(Buffer.from('hello'), 'text/plain')).toEqual([]);
  });
});
