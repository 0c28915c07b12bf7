/** One scenario's figures, whoever produced the load. */
export interface LoadResult {
  name: string;
  requests: number;
  errors: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export function formatTable(rows: Array<{ scenario: string; gateway: LoadResult; direct: LoadResult }>): string {
  const lines = ['| scenario | gateway req/s | p50 ms | p99 ms | direct req/s | p50 ms | p99 ms | gateway/direct req/s |', '|---|---:|---:|---:|---:|---:|---:|---:|'];
  for (const { scenario, gateway: g, direct: d } of rows) {
    lines.push(
      `| ${scenario} | ${g.rps.toFixed(0)} | ${g.p50Ms.toFixed(2)} | ${g.p99Ms.toFixed(2)} | ${d.rps.toFixed(0)} | ${d.p50Ms.toFixed(2)} | ${d.p99Ms.toFixed(2)} | ${(g.rps / d.rps).toFixed(2)} |`,
    );
  }
  return lines.join('\n');
}
