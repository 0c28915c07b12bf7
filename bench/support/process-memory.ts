import fs from 'node:fs';

/**
 * Resident memory of one process (not its children: the service's pg_dump and pg_restore are
 * separate programs whose memory is not the service's), sampled on a timer for a phase's peak.
 */
export function residentBytes(pid: number, field: 'VmRSS' | 'VmHWM' = 'VmRSS'): number {
  try {
    const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** The largest process of a tree: under `tsx`, the node process running the service, not its launcher. */
export function largestProcessUnder(rootPid: number): number {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // Gone between readdir and read.
    }
  }
  const tree = [rootPid];
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i]!) ?? []));
  return tree.reduce((best, pid) => (residentBytes(pid) > residentBytes(best) ? pid : best), rootPid);
}

export class PeakSampler {
  private peak = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly pid: number, private readonly intervalMs = 50) {}

  start(): void {
    this.peak = residentBytes(this.pid);
    this.timer = setInterval(() => {
      this.peak = Math.max(this.peak, residentBytes(this.pid));
    }, this.intervalMs);
  }

  stop(): number {
    clearInterval(this.timer);
    return Math.max(this.peak, residentBytes(this.pid));
  }
}

/** CPU seconds (user + system) one process has used so far, its children not included. */
export function cpuSeconds(pid: number, ticksPerSecond = 100): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // After the command in parentheses: state is field 3, utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
  } catch {
    return 0;
  }
}
