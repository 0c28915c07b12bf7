import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DocumentTextExtractor } from '../../src/adapters/text/document-text-extractor';
import { RoutingTextExtractor } from '../../src/adapters/text/routing-text-extractor';
import { bundledEnglishLangPath, TesseractTextExtractor } from '../../src/adapters/text/tesseract-text-extractor';
import { TEXT_MIME } from '../../src/adapters/text/text-mime';
import { TransformationFailed } from '../../src/domain/storage/errors';
import { saysWord, textExtractorContract, type TextSample } from '../contract/text-extractor.contract';
import { aDocxSaying, aPdfSaying, aTextImagePng, aUtf8TextWithBom, anRtf, corrupted } from '../support/text-fixtures';

const OCR_TIMEOUT_MS = 120_000;

const documentSamples: TextSample[] = [
  {
    mimeType: TEXT_MIME.pdf,
    make: () => aPdfSaying('The first page says hello.', 'Second page, second sentence.'),
    says: ['The first page says hello.', 'Second page, second sentence.'],
    corrupt: async () => corrupted(await aPdfSaying('x'), 9),
  },
  {
    mimeType: TEXT_MIME.docx,
    make: () => aDocxSaying('A bold opening paragraph.', 'A plain closing one.'),
    says: ['A bold opening paragraph.', 'A plain closing one.'],
    corrupt: async () => corrupted(await aDocxSaying('x'), 30),
  },
  {
    mimeType: TEXT_MIME.txt,
    make: () => aUtf8TextWithBom('Crème brûlée à la française, naïve.'),
    says: ['Crème brûlée à la française, naïve.'],
    corrupt: () => Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00, 0x00]),
  },
  {
    mimeType: TEXT_MIME.rtf,
    make: () => anRtf(),
    says: ['Bold café and italic text.', 'Price: 5€ in {braces} and a back\\slash.'],
    corrupt: () => Buffer.from('{\\rtf1\\ansi {\\b unclosed group', 'latin1'),
  },
];

const ocrSamples: TextSample[] = [
  {
    mimeType: TEXT_MIME.png,
    make: () => aTextImagePng('HELLO WORLD'),
    says: ['HELLO', 'WORLD'],
    noisy: true,
    corrupt: () => corrupted(aTextImagePng('HELLO'), 33),
  },
];

function ocr(): { extractor: TesseractTextExtractor; close: () => Promise<void> } {
  const cachePath = mkdtempSync(path.join(tmpdir(), 'vb-tesseract-'));
  const extractor = new TesseractTextExtractor({ langPath: bundledEnglishLangPath(), cachePath });
  return {
    extractor,
    close: async () => {
      await extractor.close();
      rmSync(cachePath, { recursive: true, force: true });
    },
  };
}

textExtractorContract('DocumentTextExtractor', () => ({ extractor: new DocumentTextExtractor(), samples: documentSamples, close: async () => undefined }));

textExtractorContract('TesseractTextExtractor', () => ({ ...ocr(), samples: ocrSamples }), OCR_TIMEOUT_MS);

textExtractorContract(
  'RoutingTextExtractor (documents + OCR)',
  () => {
    const images = ocr();
    return { extractor: new RoutingTextExtractor([new DocumentTextExtractor(), images.extractor]), samples: [...documentSamples, ...ocrSamples], close: images.close };
  },
  OCR_TIMEOUT_MS,
);

describe('DocumentTextExtractor, format by format', () => {
  const documents = new DocumentTextExtractor();
  const text = async (input: Buffer, type: string) => (await documents.extract(input, type)).text;

  it('reads UTF-16 text by its byte-order mark, and a declared charset without one', async () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Grüße aus Köln', 'utf16le')]);
    expect(await text(utf16, 'text/plain')).toBe('Grüße aus Köln');
    expect(await text(Buffer.from('d\xe9j\xe0 vu', 'latin1'), 'text/plain; charset=ISO-8859-1')).toBe('déjà vu');
  });

  it('drops the BOM of a UTF-8 text and refuses bytes that are not UTF-8', async () => {
    expect(await text(aUtf8TextWithBom('été'), 'text/plain')).toBe('été');
    await expect(documents.extract(Buffer.from([0x68, 0x69, 0xff, 0xfe, 0xfd]), 'text/plain')).rejects.toThrow(/not valid utf-8/);
  });

  it('keeps RTF body text only: no font table, generator or header, escapes resolved', async () => {
    const rtf = await text(anRtf(), 'application/rtf');
    expect(rtf).toBe('Bold café and italic text.\nPrice: 5€ in {braces} and a back\\slash.\nLast line\tend.');
  });

  it('names the reason when a PDF is labelled DOCX', async () => {
    await expect(documents.extract(await aPdfSaying('x'), TEXT_MIME.docx)).rejects.toThrow(new TransformationFailed('Not a DOCX document: it is not a ZIP archive'));
  });

  it('stops reading a PDF when the signal aborts', async () => {
    const controller = new AbortController();
    const reading = documents.extract(await aPdfSaying('slow enough'), TEXT_MIME.pdf, { signal: controller.signal });
    controller.abort(new Error('job cancelled'));
    await expect(reading).rejects.toThrow('job cancelled');
  });
});

describe('TesseractTextExtractor', () => {
  it('refuses a JPEG labelled PNG before starting OCR', async () => {
    const { extractor, close } = ocr();
    try {
      await expect(extractor.extract(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16]), TEXT_MIME.png)).rejects.toThrow('Declared image/png but the content is image/jpeg');
    } finally {
      await close();
    }
  });

  it('terminates a running recognition on abort, and reads the next image with a new worker', async () => {
    const { extractor, close } = ocr();
    try {
      const controller = new AbortController();
      const first = extractor.extract(aTextImagePng('HELLO WORLD'), TEXT_MIME.png, {
        signal: controller.signal,
        onProgress: (p) => p > 0 && controller.abort(new Error('job cancelled')),
      });
      const timer = setTimeout(() => controller.abort(new Error('job cancelled')), 2_000);
      await expect(first).rejects.toThrow('job cancelled');
      clearTimeout(timer);
      const { text } = await extractor.extract(aTextImagePng('WORLD'), TEXT_MIME.png);
      expect(saysWord(text, 'WORLD', true)).toBe(true);
    } finally {
      await close();
    }
  }, OCR_TIMEOUT_MS);
});
