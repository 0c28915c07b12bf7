/**
 * Statement text fit for a log line or a report: comments dropped, every literal (strings, dollar
 * quotes, numbers, bit/hex/escape strings) replaced by `?`, `$n` placeholders kept, IN lists, ARRAY
 * literals and multi-row VALUES collapsed, whitespace folded. A lexer, not a parser: it knows
 * PostgreSQL's quoting rules, which is all it takes to never let a value through.
 */
export function normalizeSql(text: string, maxLength = 2_000): string {
  let out = '';
  let i = 0;
  const n = text.length;
  const space = () => {
    if (out.length > 0 && out[out.length - 1] !== ' ') out += ' ';
  };
  while (i < n) {
    const c = text[i];
    const next = text[i + 1];
    if (c === '-' && next === '-') {
      while (i < n && text[i] !== '\n') i += 1;
      space();
    } else if (c === '/' && next === '*') {
      i = skipBlockComment(text, i);
      space();
    } else if (c === "'") {
      // A one-letter prefix glued to the quote (E'', B'', X'', N'') or U&'' is part of the literal.
      const prefix = /(?:^|[^A-Za-z0-9_$])([EeBbXxNn]|[Uu]&)$/.exec(out);
      const letters = prefix?.[1] ?? '';
      out = out.slice(0, out.length - letters.length);
      const escapes = letters === 'E' || letters === 'e';
      i = skipString(text, i, escapes);
      out += '?';
    } else if (c === '"') {
      const end = skipQuotedIdentifier(text, i);
      out += text.slice(i, end);
      i = end;
    } else if (c === '$') {
      if (isDigit(next)) {
        let j = i + 1;
        while (j < n && isDigit(text[j])) j += 1;
        out += text.slice(i, j);
        i = j;
      } else {
        const tag = /^\$(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/.exec(text.slice(i, i + 64));
        if (tag && !isIdentifierChar(out[out.length - 1])) {
          const close = text.indexOf(tag[0], i + tag[0].length);
          i = close < 0 ? n : close + tag[0].length;
          out += '?';
        } else {
          out += c;
          i += 1;
        }
      }
    } else if ((isDigit(c) || (c === '.' && isDigit(next))) && !isIdentifierChar(out[out.length - 1])) {
      i = skipNumber(text, i);
      out += '?';
    } else if (isIdentifierChar(c)) {
      let j = i + 1;
      while (j < n && isIdentifierChar(text[j])) j += 1;
      out += text.slice(i, j);
      i = j;
    } else if (c === ' ' || c === '\n' || c === '\t' || c === '\r' || c === '\f') {
      space();
      i += 1;
    } else {
      out += c;
      i += 1;
    }
    if (out.length > maxLength * 2) break;
  }
  const collapsed = out
    .trim()
    .replace(/\b(IN)\s*\(\s*(?:\?|\$\d+)(?:\s*,\s*(?:\?|\$\d+))*\s*\)/gi, '$1 (?)')
    .replace(/\b(ARRAY)\s*\[\s*(?:\?|\$\d+)(?:\s*,\s*(?:\?|\$\d+))*\s*\]/gi, '$1[?]')
    .replace(/\b(VALUES)\s*(\([^()]*\))(?:\s*,\s*\([^()]*\))+/gi, '$1 $2, ...');
  return collapsed.length > maxLength ? `${collapsed.slice(0, maxLength)}…` : collapsed;
}

export type StatementKind = 'select' | 'insert' | 'update' | 'delete' | 'other';

export interface StatementShape {
  kind: StatementKind;
  /** The main table, best effort: `none` for a SELECT without FROM, `unknown` when it cannot be told. */
  table: string;
}

/** What a (normalized) statement does and to which table: the labels of the slow-query metric. */
export function statementShape(normalized: string): StatementShape {
  const tokens = topLevelTokens(normalized);
  let at = 0;
  let kind: StatementKind = 'other';
  const first = tokens[0]?.toLowerCase();
  if (first === 'with') {
    at = tokens.findIndex((t) => /^(select|insert|update|delete)$/i.test(t));
    if (at < 0) return { kind: 'other', table: 'unknown' };
    kind = (tokens[at] ?? '').toLowerCase() as StatementKind;
  } else if (first === 'select' || first === 'insert' || first === 'update' || first === 'delete') {
    kind = first;
  } else {
    return { kind: 'other', table: 'unknown' };
  }
  const after = (keyword: string, from: number) => {
    const k = tokens.findIndex((t, index) => index > from && t.toLowerCase() === keyword);
    return k < 0 ? -1 : k + 1;
  };
  let target: number;
  if (kind === 'select') {
    target = after('from', at);
    if (target < 0) return { kind, table: 'none' };
  } else if (kind === 'insert') target = after('into', at);
  else if (kind === 'delete') target = after('from', at);
  else target = at + 1;
  if (target >= 0 && tokens[target]?.toLowerCase() === 'only') target += 1;
  return { kind, table: tableLabel(tokens[target]) };
}

/** Words, quoted identifiers and punctuation outside parentheses; a dotted name is one token. */
function topLevelTokens(sql: string): string[] {
  const tokens: string[] = [];
  let depth = 0;
  let i = 0;
  while (i < sql.length && tokens.length < 200) {
    const c = sql[i];
    if (c === '(') {
      if (depth === 0) tokens.push('(');
      depth += 1;
      i += 1;
    } else if (c === ')') {
      depth = Math.max(0, depth - 1);
      i += 1;
    } else if (c === '"' || isIdentifierChar(c)) {
      let j = i;
      // A dotted name: schema.table, "Schema"."Table".
      for (;;) {
        j = sql[j] === '"' ? skipQuotedIdentifier(sql, j) : scanWord(sql, j);
        if (sql[j] === '.' && (sql[j + 1] === '"' || isIdentifierChar(sql[j + 1]))) j += 1;
        else break;
      }
      if (depth === 0) tokens.push(sql.slice(i, j));
      i = j;
    } else {
      if (depth === 0 && c !== undefined && c !== ' ') tokens.push(c);
      i += 1;
    }
  }
  return tokens;
}

/** A bounded metric label: unquoted names fold to lower case, anything odd is `unknown`. */
function tableLabel(token: string | undefined): string {
  if (!token || token === '(') return 'unknown';
  const name = token
    .split('.')
    .map((part) => (part.startsWith('"') ? part.slice(1, -1).replace(/""/g, '"') : part.toLowerCase()))
    .join('.');
  return /^[A-Za-z0-9_$.]{1,63}$/.test(name) ? name : 'unknown';
}

function scanWord(text: string, i: number): number {
  let j = i;
  while (j < text.length && isIdentifierChar(text[j])) j += 1;
  return j;
}

function skipBlockComment(text: string, i: number): number {
  let depth = 0;
  let j = i;
  while (j < text.length) {
    if (text[j] === '/' && text[j + 1] === '*') {
      depth += 1;
      j += 2;
    } else if (text[j] === '*' && text[j + 1] === '/') {
      depth -= 1;
      j += 2;
      if (depth === 0) return j;
    } else j += 1;
  }
  return j;
}

/** Past the closing quote; `''` is a quote inside, and so is `\'` in an E'' string. */
function skipString(text: string, i: number, backslashEscapes: boolean): number {
  let j = i + 1;
  while (j < text.length) {
    const c = text[j];
    if (backslashEscapes && c === '\\') j += 2;
    else if (c === "'") {
      if (text[j + 1] === "'") j += 2;
      else return j + 1;
    } else j += 1;
  }
  return j;
}

function skipQuotedIdentifier(text: string, i: number): number {
  let j = i + 1;
  while (j < text.length) {
    if (text[j] === '"') {
      if (text[j + 1] === '"') j += 2;
      else return j + 1;
    } else j += 1;
  }
  return j;
}

/** Decimal, with fraction and exponent, or 0x/0o/0b, underscores allowed (PostgreSQL 16). */
function skipNumber(text: string, i: number): number {
  const match = /^(?:0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|(?:\d[\d_]*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)/.exec(text.slice(i, i + 128));
  return i + (match ? match[0].length : 1);
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

function isIdentifierChar(c: string | undefined): boolean {
  return c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c === '_' || c === '$' || c > '\u007f');
}
