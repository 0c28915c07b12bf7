import { FileTypeSniffer } from '../../../src/adapters/media/file-type-sniffer';
import { acceptedMimeType, normalizeMimeType } from '../../../src/domain/storage/file-type-policy';
import { aPdf, aPng, aWav, anMp3 } from '../../support/media-fixtures';

const ALLOWED = ['image/png', 'application/pdf', 'text/plain', 'image/svg+xml', 'audio/wav', 'audio/mpeg', 'application/rtf'];

describe('acceptedMimeType', () => {
  it('accepts the sniffed type when the declaration agrees, aliases included', () => {
    expect(acceptedMimeType('image/png', 'image/png', ALLOWED)).toBe('image/png');
    expect(acceptedMimeType('audio/vnd.wave', 'audio/x-wav', ALLOWED)).toBe('audio/wav');
    expect(acceptedMimeType('audio/mpeg', 'audio/mp3', ALLOWED)).toBe('audio/mpeg');
    expect(acceptedMimeType('image/png', 'IMAGE/PNG; charset=binary', ALLOWED)).toBe('image/png');
  });

  it('trusts the bytes when the declaration says nothing', () => {
    expect(acceptedMimeType('application/pdf', 'application/octet-stream', ALLOWED)).toBe('application/pdf');
    expect(acceptedMimeType('application/pdf', null, ALLOWED)).toBe('application/pdf');
  });

  it('refuses a spoofed declaration, an unknown content and a type not allowed', () => {
    expect(() => acceptedMimeType('application/pdf', 'image/png', ALLOWED)).toThrow(expect.objectContaining({ code: 'INVALID_FILE_TYPE' }));
    expect(() => acceptedMimeType(null, 'image/png', ALLOWED)).toThrow(expect.objectContaining({ code: 'INVALID_FILE_TYPE' }));
    expect(() => acceptedMimeType('application/zip', null, ALLOWED)).toThrow(expect.objectContaining({ code: 'INVALID_FILE_TYPE' }));
  });

  it('normalizes names', () => {
    expect(normalizeMimeType(' Image/JPG ')).toBe('image/jpeg');
  });
});

describe('FileTypeSniffer', () => {
  const sniffer = new FileTypeSniffer();
  it('recognises binary formats from their leading bytes', async () => {
    expect(await sniffer.sniff(aPng(2, 2))).toBe('image/png');
    expect(await sniffer.sniff((await aPdf(1, 't', 'a')).subarray(0, 4100))).toBe('application/pdf');
    expect(normalizeMimeType((await sniffer.sniff(aWav(1).subarray(0, 4100)))!)).toBe('audio/wav');
    expect(await sniffer.sniff(anMp3(20).subarray(0, 4100))).toBe('audio/mpeg');
    expect(await sniffer.sniff(Buffer.from('{\\rtf1\\ansi hello}'))).toBe('application/rtf');
  });

  it('recognises SVG and plain text, and nothing in random binary', async () => {
    expect(await sniffer.sniff(Buffer.from('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"></svg>'))).toBe('image/svg+xml');
    expect(await sniffer.sniff(Buffer.from('hello\tworld\r\n'))).toBe('text/plain');
    expect(await sniffer.sniff(Buffer.from([0x00, 0x01, 0x02, 0x03, 0x04]))).toBeNull();
  });
});
