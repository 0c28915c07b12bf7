import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Container } from 'inversify';
import type { TextExtractor } from '../../src/application/ports/text-extractor.port';
import { bindTextExtraction } from '../../src/infrastructure/bindings/text.bindings';
import { binder } from '../../src/infrastructure/binder';
import { loadConfig } from '../../src/infrastructure/config';
import { Lifecycle } from '../../src/infrastructure/lifecycle';
import { TOKENS } from '../../src/infrastructure/tokens';
import { saysWord } from '../contract/text-extractor.contract';
import { aPdfSaying, aTextImagePng } from '../support/text-fixtures';

describe('text extraction bindings', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'vb-text-bindings-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('route documents and images, keep the OCR cache under DATA_DIR and stop the OCR worker at shutdown', async () => {
    const container = new Container({ defaultScope: 'Singleton' });
    const lifecycle = new Lifecycle();
    container.bind(TOKENS.Config).toConstantValue(loadConfig({ DATA_DIR: dataDir }, { projectRoot: '/srv/visiobook', version: '1.0.0' }));
    container.bind(TOKENS.Lifecycle).toConstantValue(lifecycle);
    bindTextExtraction(binder(container));
    const extractor = container.get<TextExtractor>(TOKENS.TextExtractor);
    try {
      expect(extractor.accepts).toEqual(expect.arrayContaining(['application/pdf', 'text/plain', 'image/png']));
      expect((await extractor.extract(await aPdfSaying('Routed to the PDF reader.'), 'application/pdf')).text).toContain('Routed to the PDF reader.');
      expect(saysWord((await extractor.extract(aTextImagePng('HELLO WORLD'), 'image/png')).text, 'HELLO', true)).toBe(true);
      expect(existsSync(path.join(dataDir, 'tesseract'))).toBe(true);
    } finally {
      await lifecycle.close((name, error) => {
        throw new Error(`${name} did not close: ${String(error)}`);
      });
    }
  }, 120_000);
});
