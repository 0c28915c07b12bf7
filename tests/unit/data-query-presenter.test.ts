import { CACHED_PAGE_FORM, cachedPageOf } from '../../src/application/database/reads/cached-page';
import type { RunQueryOutput } from '../../src/application/database/reads/run-query';
import { queryPageJson } from '../../src/adapters/http/presenters/data-query.presenter';

const rows = [
  { id: 'p1', title: 'héllo ✓ "quoted", [bracketed]', settings: { nested: [1, null] }, deleted_at: null },
  { id: 'p2', title: 'second,with,commas', settings: {}, deleted_at: null },
];

describe('queryPageJson', () => {
  it.each([
    ['a counted page', 41, 20, 3],
    ['an uncounted page', null, 20, 1],
    ['an empty count', 0, 5, 1],
  ])('writes %s exactly as JSON.stringify would write the body', (_case, total, limit, page) => {
    const output: RunQueryOutput = { ...cachedPageOf({ rows, total }), page, limit, cache: 'hit' };
    const pages = total === null ? null : Math.ceil(total / limit);
    const expected = JSON.stringify({ data: rows, pagination: { page, limit, total, pages }, execution_time_ms: 1.25, cache: 'hit' });
    expect(queryPageJson(output, 1.25)).toBe(expected);
  });

  it('sends a page read back from its stored form byte for byte as one fresh from the reader', () => {
    const fresh = cachedPageOf({ rows, total: 2 });
    const stored = CACHED_PAGE_FORM.decode(CACHED_PAGE_FORM.encode(fresh));
    expect(stored).toEqual(fresh);
    const paging = { page: 1, limit: 20, cache: 'miss' as const };
    expect(queryPageJson({ ...stored, ...paging }, 3)).toBe(queryPageJson({ ...fresh, ...paging }, 3));
    expect(CACHED_PAGE_FORM.decode(CACHED_PAGE_FORM.encode(cachedPageOf({ rows: [], total: null })))).toEqual({ rowsJson: '[]', total: null });
  });
});
