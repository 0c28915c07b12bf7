import fc from 'fast-check';

/**
 * The values that broke (or could break) code written for well-behaved clients: text PostgreSQL
 * cannot store, text JavaScript cannot encode, names and values aimed at SQL, paths aimed at the
 * store, sizes and depths aimed at the stack.
 */

/** JSON nested `levels` deep, as text (JSON.stringify itself overflows long before 10,000 levels). */
export const deepJsonText = (levels: number, kind: 'object' | 'array' = 'object'): string =>
  kind === 'object' ? `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}` : `${'['.repeat(levels)}1${']'.repeat(levels)}`;

export const NASTY_STRINGS: readonly string[] = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udc00y',
  '\ud83d',
  '\uffff\ufffe',
  '\u202e\u200b',
  '😀🎉',
  '../../../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '/etc/passwd',
  '..',
  '.',
  '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  "' OR '1'='1",
  "'; DROP TABLE users; --",
  '" OR ""="',
  '1; SELECT pg_sleep(10)',
  '$1',
  '\\',
  '%',
  '_',
  '*',
  '${jndi:ldap://x}',
  '<script>alert(1)</script>',
  'NaN',
  '-1',
  '1e309',
  '9'.repeat(40),
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-fffffffffffffffff',
  'true',
  'null',
  '[]',
  '{}',
  '\r\n',
  '\t\u000b\f',
];

/** Identifiers aimed at whatever builds SQL or Redis keys from names. */
export const NASTY_NAMES: readonly string[] = [
  'id"; DROP TABLE files; --',
  "title' OR 1=1 --",
  'a.b',
  'users.password_hash',
  'pg_catalog.pg_authid',
  '"quoted"',
  '*',
  'COUNT(*)',
  '\u0000',
  'k\ud800',
  '__proto__',
  'constructor',
  '../x',
  ' ',
  '',
  'x'.repeat(300),
  'ÉtéÜ',
  '$where',
  '::',
  'data:user:other:k',
];

/** A string a schema's field should never see: one of the list, or a huge one. */
export const nastyString = (): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
    { weight: 2, arbitrary: fc.constantFrom(...NASTY_NAMES) },
    { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 300_000 }).map((n) => 'x'.repeat(n)) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
    { weight: 1, arbitrary: fc.tuple(fc.string({ maxLength: 5 }), fc.constantFrom('\u0000', '\ud800', '\udfff')).map(([s, bad]) => `${s}${bad}${s}`) },
  );

/** A value of the wrong type for wherever it lands (JSON-serializable). */
export const wrongTypeValue = (): fc.Arbitrary<unknown> =>
  fc.oneof(
    fc.constantFrom<unknown>(null, true, false, 0, -1, 1.5, 2 ** 53 + 2, -0, 1e308, [], {}, [null], { '': null }, '', 'string'),
    fc.integer(),
    fc.string({ maxLength: 10 }),
    fc.array(fc.integer(), { maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 3 }),
  );

/**
 * A path segment as sent on the wire (already encoded or deliberately not): malformed
 * percent-encoding, encoded NUL, CESU-encoded lone surrogates, traversal, SQL, huge.
 */
export const nastyPathSegment = (): fc.Arbitrary<string> =>
  fc.oneof(
    {
      weight: 6,
      arbitrary: fc.constantFrom(
        '%zz', '%', '%%', '%ff%fe', '%e0%a4%a', '%00', 'a%00b', '%ed%a0%80', '%ed%b0%80x', '%c0%ae%c0%ae', '..', '%2e%2e', '..%2f..%2fetc%2fpasswd',
        '..%5c..%5cwin.ini', '%2f', "'%20OR%20'1'%3D'1", '1%3B%20DROP%20TABLE%20files', '%F0%9F%98%80', 'null', 'undefined', '0', '-1',
        '00000000-0000-0000-0000-000000000000', 'ZZZZZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZZZZZZZZZ', '%uD800', '%25', '~', 'a'.repeat(2_000),
      ),
    },
    { weight: 2, arbitrary: nastyString().filter((s) => s.length < 4_000).map(percentEncode) },
    { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 30 }).map(percentEncode) },
  );

/** Percent-encodes the UTF-8 of `text` byte by byte (a lone surrogate becomes U+FFFD, as Buffer writes it). */
export function percentEncode(text: string): string {
  return [...Buffer.from(text, 'utf8')].map((b) => (/[A-Za-z0-9\-_.~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
}

/** Bytes that are not UTF-8 (or not what they claim), for bodies and header values. */
export const BAD_UTF8: readonly Buffer[] = [
  Buffer.from([0xff, 0xfe, 0xfd]),
  Buffer.from([0xc3, 0x28]),
  Buffer.from([0xed, 0xa0, 0x80]),
  Buffer.from([0xf8, 0x88, 0x80, 0x80, 0x80]),
  Buffer.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d]),
  Buffer.from('{"a":"\ud800"}', 'utf16le'),
];
