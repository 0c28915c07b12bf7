import http from 'node:http';
import { Pool } from 'pg';
import { postgraphile } from 'postgraphile';

/**
 * The peer of the gateway's bypassed query (issue 12): PostGraphile 4 serving the same page, in its
 * own process, set up as its documentation recommends for per-user data. Each request's JWT is
 * verified (HS256, the gateway's secret); its claims become transaction-local settings and the
 * request runs as `role`, a role without BYPASSRLS, so the projects table's row-level policy
 * (`user_id = jwt.claims.sub`, installed by the benchmark) scopes every read to the caller, as the
 * gateway's row scope does. Input: a JSON job in argv[2]; prints `listening <port>` once it serves.
 * Benchmark only: nothing in src/ imports postgraphile.
 */
interface Job {
  databaseUrl: string;
  role: string;
  secret: string;
  poolSize: number;
  port: number;
}

const job = JSON.parse(process.argv[2] ?? '{}') as Job;
// The gateway benchmark's pool size (PostGraphile's default from a connection string is pg's 10).
const pool = new Pool({ connectionString: job.databaseUrl, max: job.poolSize });
const middleware = postgraphile(pool, 'public', {
  pgDefaultRole: job.role,
  jwtSecret: job.secret,
  // The gateway's tokens carry no audience, and their `role` claim is an application role, not a PostgreSQL one.
  jwtVerifyOptions: { audience: undefined, algorithms: ['HS256'] },
  jwtRole: ['pg_role'],
  disableQueryLog: true,
  graphiql: false,
  watchPg: false,
  retryOnInitFail: false,
  // As in production: no stack traces, no explain.
  extendedErrors: [],
  showErrorStack: false,
});

const server = http.createServer(middleware);
server.listen(job.port, '127.0.0.1', () => {
  process.stdout.write(`listening ${job.port}\n`);
});
process.on('SIGTERM', () => {
  server.close();
  void middleware.release().then(() => pool.end()).finally(() => process.exit(0));
});
