import { publicDatabaseUrl } from '../../src/adapters/postgres/public-database-url';

describe('publicDatabaseUrl', () => {
  it.each([
    ['postgresql://app:s3cret@db.internal:5432/visiobook', 'postgresql://app@db.internal:5432/visiobook'],
    ['postgres://app:p%40ss@db:5432/x', 'postgres://app@db:5432/x'],
    // An unencoded "@" in the password: URL parsers read the authority up to the last one.
    ['postgresql://app:p@ss@db:5432/x', 'postgresql://app@db:5432/x'],
    ['postgresql://app@db:5432/x?password=s3cret&sslmode=require', 'postgresql://app@db:5432/x'],
    ['postgresql://db:5432/x', 'postgresql://db:5432/x'],
    ['postgresql://postgres@127.0.0.1:5432/vb_test', 'postgresql://postgres@127.0.0.1:5432/vb_test'],
  ])('%s → %s', (url, expected) => {
    expect(publicDatabaseUrl(url)).toBe(expected);
  });

  it('strips the password from forms WHATWG URL cannot parse (libpq multi-host)', () => {
    const scrubbed = publicDatabaseUrl('postgresql://app:s3cret@h1:5432,h2:5433/x?target_session_attrs=read-write');
    expect(scrubbed).toBe('postgresql://app@h1:5432,h2:5433/x');
  });

  it('never returns the password, whatever the shape', () => {
    for (const url of ['postgresql://u:s3cret@h/x', 'postgresql://u:s3cret@h:bad/x', 'postgresql://u:s3cret@[::1]:5432/x', 'postgresql://u:s3/cret@h/x']) {
      expect(publicDatabaseUrl(url)).not.toContain('s3');
    }
  });
});
