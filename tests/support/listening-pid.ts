import fs from 'node:fs';

/**
 * The pid of the process listening on `port` on this machine, read from /proc (Linux). A service
 * started through tsx runs in a child of the launcher ServiceProcess knows: SIGKILL to the launcher
 * alone would leave the service serving.
 */
export function listeningPid(port: number): number {
  const inode = listeningSocketInode(port);
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
        if (fs.readlinkSync(`/proc/${pid}/fd/${fd}`) === `socket:[${inode}]`) return Number(pid);
      }
    } catch {
      // A process we may not read, or one that just ended.
    }
  }
  throw new Error(`no process listens on ${port}`);
}

function listeningSocketInode(port: number): string {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of fs.readFileSync(table, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols[1]?.endsWith(`:${hex}`) && cols[3] === '0A') return cols[9]!;
    }
  }
  throw new Error(`port ${port} is not listening`);
}
