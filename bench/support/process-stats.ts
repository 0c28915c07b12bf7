import fs from 'node:fs';
import { processTree } from './rss-sampler';

/** Linux's USER_HZ: utime and stime in /proc/<pid>/stat count these. */
const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system, all threads) spent so far by a process and its descendants alive now. */
export function cpuSeconds(rootPid: number): number {
  let ticks = 0;
  for (const pid of processTree(rootPid)) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Fields after the command (in parentheses, may hold spaces): state is field 3; utime 14, stime 15.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // Gone since the tree was read.
    }
  }
  return ticks / TICKS_PER_SECOND;
}

/**
 * Resets the peak resident size (VmHWM) of every process of the tree to its current size (Linux ≥ 4.0,
 * `clear_refs` 5), so a scenario's peak is its own. False when the kernel refused.
 */
export function resetPeakRss(rootPid: number): boolean {
  let ok = true;
  for (const pid of processTree(rootPid)) {
    try {
      fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
    } catch {
      ok = false;
    }
  }
  return ok;
}

/** The largest VmHWM of the tree (the server process itself; a launcher is small). */
export function peakRssBytes(rootPid: number): number {
  let peak = 0;
  for (const pid of processTree(rootPid)) {
    try {
      const match = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (match) peak = Math.max(peak, Number(match[1]) * 1024);
    } catch {
      // Gone.
    }
  }
  return peak;
}
