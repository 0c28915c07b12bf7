import { contentDisposition } from '../../../src/domain/storage/content-disposition';

describe('contentDisposition (RFC 6266)', () => {
  it('plain ASCII names get a quoted filename only', () => {
    expect(contentDisposition('attachment', 'report.pdf')).toBe('attachment; filename="report.pdf"');
    expect(contentDisposition('inline', 'a b.txt')).toBe('inline; filename="a b.txt"');
  });

  it('non-ASCII names get an ASCII fallback and filename* in UTF-8', () => {
    expect(contentDisposition('attachment', 'résumé.pdf')).toBe(`attachment; filename="r_sum_.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf`);
  });

  it('cannot inject headers or parameters', () => {
    const value = contentDisposition('attachment', 'evil"; filename="x.exe\r\nSet-Cookie: a=b');
    expect(value).not.toMatch(/[\r\n]/);
    expect(value.startsWith('attachment; filename="evil_; filename=_x.exeSet-Cookie: a=b"')).toBe(true);
    expect(value).toContain(`filename*=UTF-8''evil%22%3B%20filename%3D%22x.exeSet-Cookie%3A%20a%3Db`);
  });

  it('path separators and empty names are neutralised', () => {
    expect(contentDisposition('attachment', '../../etc/passwd')).toBe('attachment; filename=".._.._etc_passwd"');
    expect(contentDisposition('attachment', '\u0000')).toBe('attachment; filename="download"');
  });
});
