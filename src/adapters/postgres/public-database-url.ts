/**
 * A PostgreSQL connection URL as a client may see it: no password, and no query string either,
 * since libpq reads `?password=`, `sslpassword=` and key file paths from there too.
 */
export function publicDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    u.password = '';
    u.search = '';
    u.hash = '';
    return u.toString();
  } catch {
    // Not a WHATWG URL (libpq's multi-host form, say): cut the authority's secret and the query by hand.
    return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@?#]*):[^@]*@/i, '$1@').replace(/[?#].*$/s, '');
  }
}
