import type { CdnHit } from '../../domain/storage/cdn';

/**
 * The varnishncsa -F format the traffic source asks for: hit or miss, body bytes (`-` for none),
 * arrival time in ms since the epoch, URL path without its query string. Tabs separate the fields
 * (`\t` is varnishncsa's own escape); the path comes last since it is the only free-form one.
 */
export const VARNISHNCSA_FORMAT = '%{Varnish:hitmiss}x\\t%b\\t%{msec}t\\t%U';

/** One line varnishncsa wrote in VARNISHNCSA_FORMAT, or null when it is not one (a warning, a torn line). */
export function parseVarnishLogLine(line: string): CdnHit | null {
  const fields = line.replace(/\r?\n$/, '').split('\t');
  if (fields.length < 4) return null;
  const [hitmiss, bytes, msec] = fields as [string, string, string];
  const url = fields.slice(3).join('\t');
  if (hitmiss !== 'hit' && hitmiss !== 'miss') return null;
  if (bytes !== '-' && !/^\d+$/.test(bytes)) return null;
  if (!/^\d+$/.test(msec)) return null;
  // %U already drops the query string; cutting again keeps signed URLs' signatures out if the format changes.
  const path = url.split('?', 1)[0]!;
  if (!path.startsWith('/')) return null;
  return { path, hit: hitmiss === 'hit', bytes: bytes === '-' ? 0 : Number(bytes), at: new Date(Number(msec)), region: null };
}
