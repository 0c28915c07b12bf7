import fs from 'node:fs';

/**
 * Resident memory of a process tree from /proc, sampled on a timer. `tsx` launches the service in a
 * child node process, so the tree is walked and its largest member (the service) is reported.
 */
export function serviceRssBytes(rootPid: number): number {
  return Math.max(0, ...processTree(rootPid).map(rssOf));
}

export class RssSampler {
  peakBytes = 0;
  samples = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly rootPid: number, private readonly intervalMs = 100) {}

  start(): void {
    const sample = () => {
      this.peakBytes = Math.max(this.peakBytes, serviceRssBytes(this.rootPid));
      this.samples++;
    };
    sample();
    this.timer = setInterval(sample, this.intervalMs);
  }

  stop(): number {
    clearInterval(this.timer);
    return this.peakBytes;
  }
}

function rssOf(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

export function processTree(rootPid: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Fields after the command (which may hold spaces) in parentheses: state, then ppid.
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(Number(entry), ppid);
    } catch {
      // Gone between readdir and read.
    }
  }
  const tree = [rootPid];
  for (let i = 0; i < tree.length; i++) {
    for (const [pid, ppid] of parents) if (ppid === tree[i]) tree.push(pid);
  }
  return tree;
}
