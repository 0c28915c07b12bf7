import { parseVarnishLogLine, VARNISHNCSA_FORMAT } from '../../src/adapters/cdn/varnish-log-line';

describe('parseVarnishLogLine', () => {
  it('reads a miss and a hit', () => {
    expect(parseVarnishLogLine('miss\t29\t1700000000123\t/cdn/files/f1/0123456789abcdef')).toEqual({
      path: '/cdn/files/f1/0123456789abcdef',
      hit: false,
      bytes: 29,
      at: new Date(1_700_000_000_123),
      region: null,
    });
    expect(parseVarnishLogLine('hit\t4096\t1700000000456\t/cdn/thumbnails/f1')).toMatchObject({ path: '/cdn/thumbnails/f1', hit: true, bytes: 4096 });
  });

  it("counts varnishncsa's '-' (no body, e.g. a HEAD or a 304) as 0 bytes", () => {
    expect(parseVarnishLogLine('hit\t-\t1700000000000\t/cdn/files/f1/v')).toMatchObject({ bytes: 0 });
  });

  it('keeps the query string out of the path, should one reach it', () => {
    expect(parseVarnishLogLine('miss\t10\t1700000000000\t/cdn/files/f1/v?expires=1&signature=abc')).toMatchObject({ path: '/cdn/files/f1/v' });
  });

  it('tolerates a trailing newline or carriage return', () => {
    expect(parseVarnishLogLine('hit\t1\t1700000000000\t/cdn/x\r\n')).toMatchObject({ path: '/cdn/x' });
  });

  it.each([
    ['an empty line', ''],
    ['too few fields', 'hit\t1\t1700000000000'],
    ['an unknown handling', 'pass\t1\t1700000000000\t/cdn/x'],
    ['non-numeric bytes', 'hit\tabc\t1700000000000\t/cdn/x'],
    ['a negative size', 'hit\t-5\t1700000000000\t/cdn/x'],
    ['a non-numeric time', 'hit\t1\t[21/Nov/2026:10:00:00 +0000]\t/cdn/x'],
    ['a URL that is not a path', 'hit\t1\t1700000000000\t-'],
    ['a warning line', 'Log overrun'],
  ])('rejects %s', (_what, line) => {
    expect(parseVarnishLogLine(line)).toBeNull();
  });

  it('matches the format it is paired with: four tab-separated fields, the path last', () => {
    expect(VARNISHNCSA_FORMAT.split('\\t')).toEqual(['%{Varnish:hitmiss}x', '%b', '%{msec}t', '%U']);
  });
});
