import autocannon from 'autocannon';
import type { LoadResult } from './load-result';

/**
 * Runs in its own process (the service runs in another), so the load generator never shares an
 * event loop with what it measures. Input: a JSON job in argv[2]; output: a LoadResult on stdout.
 */
interface Job {
  name: string;
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  connections: number;
  durationSeconds: number;
}

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2] ?? '{}') as Job;
  const result = await autocannon({
    url: job.url,
    method: job.method,
    headers: job.headers,
    body: job.body,
    connections: job.connections,
    duration: job.durationSeconds,
  });
  const output: LoadResult = {
    name: job.name,
    requests: result.requests.total,
    errors: result.errors + result.non2xx + result.timeouts,
    rps: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
  };
  process.stdout.write(`${JSON.stringify(output)}\n`);
}

void main();
