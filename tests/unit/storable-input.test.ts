import { assertStorable, findUnstorable, MAX_JSON_DEPTH, unstorableText } from '../../src/adapters/http/storable-input';
import { ValidationFailed } from '../../src/domain/shared/errors';

/** `levels` arrays nested in one another, built without recursion. */
function nested(levels: number): unknown {
  let value: unknown = 'leaf';
  for (let i = 0; i < levels; i += 1) value = [value];
  return value;
}

describe('storable input', () => {
  it('accepts ordinary text, emoji (well-formed surrogate pairs) and other control characters', () => {
    for (const text of ['', 'plain', 'é ü ß 漢字', '😀🎉', 'tab\tand\nnewline', '\u0007bell', '\uFFFD']) expect(unstorableText(text)).toBeNull();
  });

  it.each([
    ['a\u0000b', /NUL/],
    ['\ud800', /surrogate/],
    ['x\udc00', /surrogate/],
    ['\ude00\ud83d', /surrogate/], // a pair in the wrong order is two lone halves
  ])('names what is wrong with %j', (text, expected) => {
    expect(unstorableText(text)).toMatch(expected);
  });

  it('finds unstorable text in nested values and keys, with the path to it', () => {
    expect(findUnstorable({ a: [{ b: 'ok' }, { c: 'x\u0000' }] }, 'body')).toEqual({ path: 'body.a.1.c', message: expect.stringMatching(/NUL/) });
    expect(findUnstorable({ meta: { ['k\ud800']: 1 } }, 'body')).toEqual({ path: 'body.meta.k\uFFFD', message: expect.stringMatching(/^key .*surrogate/) });
    expect(findUnstorable({ q: ['fine', 'a\u0000'] }, 'query')).toEqual({ path: 'query.q.1', message: expect.stringMatching(/NUL/) });
    expect(findUnstorable({ n: 1, b: true, z: null, s: 'fine' }, 'body')).toBeNull();
  });

  it(`allows ${MAX_JSON_DEPTH} levels of nesting, the value itself counted, and refuses one more`, () => {
    expect(findUnstorable(nested(MAX_JSON_DEPTH), 'body')).toBeNull();
    expect(findUnstorable(nested(MAX_JSON_DEPTH + 1), 'body')).toEqual({
      path: `body${'.0'.repeat(MAX_JSON_DEPTH)}`,
      message: `nests objects and arrays deeper than ${MAX_JSON_DEPTH} levels`,
    });
    expect(findUnstorable(nested(3), 'body', 2)).not.toBeNull();
  });

  it('answers a value nested 100,000 levels deep without overflowing the stack', () => {
    expect(findUnstorable(nested(100_000), 'body')?.message).toMatch(/deeper than 32 levels/);
    // With no practical bound the whole depth is walked: iteratively, so still no overflow.
    expect(findUnstorable(nested(100_000), 'body', Number.MAX_SAFE_INTEGER)).toBeNull();
  });

  it('throws 400 VALIDATION_ERROR naming the field', () => {
    let thrown: unknown;
    try {
      assertStorable({ description: '\u0000' }, 'body.metadata');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ValidationFailed);
    expect((thrown as ValidationFailed).details).toEqual({ issues: [{ path: 'body.metadata.description', message: expect.stringMatching(/NUL/) }] });
    expect(() => assertStorable({ description: 'fine' }, 'body.metadata')).not.toThrow();
  });
});
