import { rtfToText } from '../../src/adapters/text/rtf-to-text';
import { TransformationFailed } from '../../src/domain/storage/errors';

const rtf = (body: string) => rtfToText(Buffer.from(`{\\rtf1\\ansi ${body}}`, 'latin1'));

describe('rtfToText', () => {
  it('skips the \\ucN fallback after a \\u character, including a \\\'hh fallback', () => {
    expect(rtf('\\uc1\\u20320\\\'3f\\u22909? done')).toBe('\u4f60\u597d done');
    expect(rtf('\\uc2\\u-3913xx!')).toBe('\uf0b7!');
  });

  it('reads \\\'hh bytes in the declared code page', () => {
    expect(rtfToText(Buffer.from("{\\rtf1\\ansi\\ansicpg1251 \\'cf\\'f0\\'e8\\'e2\\'e5\\'f2}", 'latin1'))).toBe('Привет');
  });

  it('skips binary data, ignorable destinations and field instructions but keeps field results', () => {
    expect(rtf('a{\\*\\unknowndest junk}b\\bin2 {}c{\\field{\\*\\fldinst HYPERLINK "x"}{\\fldrslt link}}')).toBe('abclink');
  });

  it('refuses unbalanced groups and a document that is not RTF', () => {
    expect(() => rtfToText(Buffer.from('{\\rtf1 a}}', 'latin1'))).toThrow(TransformationFailed);
    expect(() => rtfToText(Buffer.from('{\\rtf1 {a}', 'latin1'))).toThrow(TransformationFailed);
    expect(() => rtfToText(Buffer.from('plain text', 'latin1'))).toThrow('Not an RTF document');
  });
});
