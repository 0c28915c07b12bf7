import { TextDecoder } from 'node:util';
import { TransformationFailed } from '../../domain/storage/errors';

const BOMS: Array<{ bytes: number[]; encoding: string }> = [
  { bytes: [0xef, 0xbb, 0xbf], encoding: 'utf-8' },
  { bytes: [0xff, 0xfe], encoding: 'utf-16le' },
  { bytes: [0xfe, 0xff], encoding: 'utf-16be' },
];

/**
 * Decodes a text file: a byte-order mark wins, then the declared charset, then UTF-8. Bytes that do
 * not decode, or NUL and other control characters that no text file holds, mean the file is binary.
 */
export function decodePlainText(input: Buffer, declaredCharset?: string): string {
  const bom = BOMS.find(({ bytes }) => bytes.every((byte, i) => input[i] === byte));
  const encoding = bom?.encoding ?? declaredCharset ?? 'utf-8';
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(encoding, { fatal: true, ignoreBOM: false });
  } catch {
    throw new TransformationFailed(`Text file declares an unknown charset "${encoding}"`);
  }
  let text: string;
  try {
    text = decoder.decode(input);
  } catch {
    throw new TransformationFailed(`Not a text file: its bytes are not valid ${encoding}`);
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000e-\u001a\u001c-\u001f]/.test(text)) {
    throw new TransformationFailed('Not a text file: it holds binary control characters');
  }
  return text;
}
