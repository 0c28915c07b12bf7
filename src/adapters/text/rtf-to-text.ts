import { TextDecoder } from 'node:util';
import { TransformationFailed } from '../../domain/storage/errors';

/**
 * Plain text out of RTF. No npm package fits: rtf-parser and @iarna/rtf-to-html are unmaintained
 * since 2018 and rtf-stream-parser only de-encapsulates Outlook's RTF, so this is a small reader of
 * the RTF 1.9 syntax: groups, control words, \'hh bytes in the document's code page, \uN with its
 * \ucN fallback, and the destinations that hold no body text (font and colour tables, pictures...).
 */

/** Destinations whose content is not body text. Any group starting with \* is skipped too. */
const SKIPPED = new Set([
  'fonttbl', 'colortbl', 'stylesheet', 'info', 'pict', 'object', 'fldinst', 'listtable', 'listoverridetable',
  'rsidtbl', 'generator', 'xmlnstbl', 'themedata', 'colorschememapping', 'datastore', 'latentstyles',
  'revtbl', 'filetbl', 'pgdsctbl', 'header', 'headerl', 'headerr', 'headerf', 'footer', 'footerl', 'footerr', 'footerf',
  'mmathPr', 'listtext', 'pntext', 'pntxta', 'pntxtb',
]);

const SYMBOLS: Record<string, string> = {
  par: '\n', line: '\n', sect: '\n', page: '\n', row: '\n', cell: '\t', tab: '\t',
  emdash: '\u2014', endash: '\u2013', emspace: '\u2003', enspace: '\u2002', bullet: '\u2022',
  lquote: '\u2018', rquote: '\u2019', ldblquote: '\u201c', rdblquote: '\u201d',
};

const CODE_PAGES: Record<number, string> = { 932: 'shift_jis', 936: 'gbk', 949: 'euc-kr', 950: 'big5', 65001: 'utf-8', 10000: 'macintosh' };

const MAX_DEPTH = 1000;

interface GroupState {
  skip: boolean;
  uc: number;
}

function decoderFor(codePage: number): TextDecoder {
  try {
    return new TextDecoder(CODE_PAGES[codePage] ?? `windows-${codePage}`);
  } catch {
    return new TextDecoder('windows-1252');
  }
}

export function rtfToText(input: Buffer): string {
  const rtf = input.toString('latin1');
  if (!/^\s*\{\\rtf/.test(rtf)) throw new TransformationFailed('Not an RTF document: it does not start with {\\rtf');
  const out: string[] = [];
  const stack: GroupState[] = [];
  let state: GroupState = { skip: false, uc: 1 };
  let decoder = decoderFor(1252);
  let pendingBytes: number[] = [];
  let fallbackToSkip = 0;
  let groupStart = false;

  const flushBytes = () => {
    if (pendingBytes.length === 0) return;
    if (!state.skip) out.push(decoder.decode(Uint8Array.from(pendingBytes)));
    pendingBytes = [];
  };
  const emit = (text: string) => {
    flushBytes();
    if (!state.skip) out.push(text);
  };

  let i = 0;
  while (i < rtf.length) {
    const c = rtf[i]!;
    const atGroupStart: boolean = groupStart;
    groupStart = false;
    if (c === '{') {
      flushBytes();
      if (stack.length >= MAX_DEPTH) throw new TransformationFailed('RTF document nests groups too deeply');
      stack.push(state);
      state = { ...state };
      groupStart = true;
      fallbackToSkip = 0;
      i++;
    } else if (c === '}') {
      flushBytes();
      const outer = stack.pop();
      if (!outer) throw new TransformationFailed('Corrupt RTF document: a group closes that was never opened');
      state = outer;
      fallbackToSkip = 0;
      i++;
    } else if (c === '\\') {
      const next = rtf[i + 1];
      if (next === undefined) throw new TransformationFailed('Corrupt RTF document: it ends inside a control word');
      if (/[a-zA-Z]/.test(next)) {
        const word = /^\\([a-zA-Z]{1,32})(-?\d{1,10})? ?/.exec(rtf.slice(i, i + 48))!;
        i += word[0].length;
        const name = word[1]!;
        const param = word[2] === undefined ? undefined : Number(word[2]);
        if (name === 'bin') {
          flushBytes();
          i += Math.max(0, param ?? 0);
        } else if (name === 'u' && param !== undefined) {
          emit(String.fromCharCode(param < 0 ? param + 65536 : param));
          fallbackToSkip = state.uc;
        } else if (name === 'uc' && param !== undefined) {
          state.uc = param;
        } else if (name === 'ansicpg' && param !== undefined) {
          decoder = decoderFor(param);
        } else if (SKIPPED.has(name) && atGroupStart) {
          flushBytes();
          state.skip = true;
        } else if (SYMBOLS[name] !== undefined) {
          emit(SYMBOLS[name]);
        }
        continue;
      }
      if (next === "'") {
        const hex = rtf.slice(i + 2, i + 4);
        if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw new TransformationFailed("Corrupt RTF document: \\' is not followed by two hex digits");
        i += 4;
        if (fallbackToSkip > 0) fallbackToSkip--;
        else pendingBytes.push(parseInt(hex, 16));
        continue;
      }
      i += 2;
      if (next === '*' && atGroupStart) {
        flushBytes();
        state.skip = true;
      } else if (next === '\\' || next === '{' || next === '}') {
        if (fallbackToSkip > 0) fallbackToSkip--;
        else emit(next);
      } else if (next === '~') emit('\u00a0');
      else if (next === '_') emit('\u2011');
      else if (next === '\n' || next === '\r') emit('\n');
      groupStart = atGroupStart && next === '*';
    } else if (c === '\r' || c === '\n') {
      i++;
    } else {
      i++;
      if (fallbackToSkip > 0) fallbackToSkip--;
      else emit(c);
    }
  }
  flushBytes();
  if (stack.length > 0) throw new TransformationFailed('Corrupt RTF document: it ends before its groups close');
  return out.join('');
}
