/** What one kind of request did during a load run: latencies, answers by status, unexpected answers. */
export interface KindStats {
  latenciesMs: number[];
  statuses: Map<string, number>;
  /** Answers other than the kind's expected one (a wrong status, wrong bytes, a cut connection). */
  errors: number;
  /** A few of those, for the report. */
  samples: string[];
}

export class LoadStats {
  readonly kinds = new Map<string, KindStats>();

  private of(kind: string): KindStats {
    let stats = this.kinds.get(kind);
    if (!stats) {
      stats = { latenciesMs: [], statuses: new Map(), errors: 0, samples: [] };
      this.kinds.set(kind, stats);
    }
    return stats;
  }

  /** `status` is the HTTP status, or a word ('network', 'mismatch') when there was none to judge by. */
  record(kind: string, ms: number, status: number | string, ok: boolean, detail?: string): void {
    const stats = this.of(kind);
    stats.latenciesMs.push(ms);
    stats.statuses.set(String(status), (stats.statuses.get(String(status)) ?? 0) + 1);
    if (!ok) {
      stats.errors++;
      if (stats.samples.length < 5) stats.samples.push(`${status}${detail ? ` ${detail.slice(0, 300)}` : ''}`);
    }
  }

  /** Answers of 500 and above, by kind. */
  serverErrors(): Array<{ kind: string; count: number }> {
    const found: Array<{ kind: string; count: number }> = [];
    for (const [kind, stats] of this.kinds) {
      const count = [...stats.statuses].filter(([status]) => Number(status) >= 500).reduce((sum, [, n]) => sum + n, 0);
      if (count > 0) found.push({ kind, count });
    }
    return found;
  }

  total(): number {
    return [...this.kinds.values()].reduce((sum, s) => sum + s.latenciesMs.length, 0);
  }
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** A Markdown table: kind, count, errors, answers by status, p50, p99. */
export function formatStats(stats: LoadStats, seconds: number): string {
  const lines = ['| kind | count | req/s | errors | statuses | p50 ms | p99 ms |', '|---|---:|---:|---:|---|---:|---:|'];
  for (const [kind, s] of [...stats.kinds].sort(([a], [b]) => a.localeCompare(b))) {
    const statuses = [...s.statuses].sort(([a], [b]) => a.localeCompare(b)).map(([status, n]) => `${status}×${n}`).join(' ');
    const rate = s.latenciesMs.length / seconds;
    lines.push(`| ${kind} | ${s.latenciesMs.length} | ${rate >= 1 ? rate.toFixed(0) : rate.toFixed(2)} | ${s.errors} | ${statuses} | ${percentile(s.latenciesMs, 50).toFixed(1)} | ${percentile(s.latenciesMs, 99).toFixed(1)} |`);
  }
  return lines.join('\n');
}
