import { acceptedMimeType, normalizeMimeType } from '../../../src/domain/storage/file-type-policy';

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
