import { Client } from 'pg';

/**
 * Fills a database with generated rows until it weighs `targetBytes` (pg_database_size): three tables
 * of the kinds a backup must carry (text, jsonb, bytea, an index besides the keys). md5-derived values
 * compress about as well as real identifiers and prose do, so pg_dump's compression does real work.
 */
export async function fillDatabase(url: string, targetBytes: number, log: (line: string) => void): Promise<number> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`
      CREATE TABLE bench_events (id bigint PRIMARY KEY, at timestamptz NOT NULL, kind text NOT NULL, payload jsonb NOT NULL);
      CREATE TABLE bench_notes (id bigint PRIMARY KEY, title text NOT NULL, body text NOT NULL);
      CREATE TABLE bench_blobs (id bigint PRIMARY KEY, name text NOT NULL, content bytea NOT NULL)`);
    const BATCH = 250_000;
    let next = 1;
    let size = await databaseSize(client);
    while (size < targetBytes) {
      const [from, to] = [next, next + BATCH - 1];
      await client.query(
        `INSERT INTO bench_events
         SELECT g, now() - (g || ' seconds')::interval, (ARRAY['view','edit','share','export'])[1 + g % 4],
                jsonb_build_object('user', md5(g::text), 'page', g % 500, 'tags', jsonb_build_array('t' || g % 7, 't' || g % 11), 'ok', g % 3 = 0)
           FROM generate_series($1::bigint, $2::bigint) g`,
        [from, to],
      );
      await client.query(
        `INSERT INTO bench_notes
         SELECT g, 'Note ' || g, repeat(md5(g::text) || ' lorem ipsum dolor sit amet ', 3) FROM generate_series($1::bigint, $2::bigint) g`,
        [from, to],
      );
      // 112 bytes of bytea per row, for a third of the batch: blobs are fewer and larger.
      await client.query(
        `INSERT INTO bench_blobs
         SELECT g, 'blob-' || g || '.bin', decode(repeat(md5(g::text) || md5((g * 7)::text), 3) || md5((g * 13)::text), 'hex')
           FROM generate_series($1::bigint, $2::bigint) g WHERE g % 3 = 0`,
        [from, to],
      );
      next += BATCH;
      size = await databaseSize(client);
      log(`  ${(next - 1).toLocaleString('en')} rows per table, ${(size / 2 ** 20).toFixed(0)} MiB\n`);
      // The index grows with the data, so its size counts towards the target.
      if (from === 1) await client.query('CREATE INDEX bench_events_kind_at ON bench_events (kind, at)');
    }
    await client.query('VACUUM ANALYZE');
    return await databaseSize(client);
  } finally {
    await client.end();
  }
}

export async function databaseSize(client: Client): Promise<number> {
  return Number((await client.query<{ n: string }>('SELECT pg_database_size(current_database()) AS n')).rows[0]!.n);
}
