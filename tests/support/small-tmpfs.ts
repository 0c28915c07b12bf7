import { spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export interface SmallTmpfs {
  dir: string;
  unmount(): Promise<void>;
}

/**
 * A tmpfs of `sizeBytes` mounted on a fresh folder: a disk that really fills up (ENOSPC), for the
 * tests of a full object store. Mounting needs root (CAP_SYS_ADMIN): without it, the reason why, and
 * the caller skips with that reason printed.
 */
export async function mountSmallTmpfs(sizeBytes: number): Promise<SmallTmpfs | { skipped: string }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vb-tmpfs-'));
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes}`, 'tmpfs', dir], { encoding: 'utf8' });
  if (mounted.status !== 0) {
    await fs.rm(dir, { recursive: true, force: true });
    return { skipped: `cannot mount a tmpfs here (${(mounted.stderr || mounted.error?.message || `exit ${mounted.status}`).trim()}): run as root to test a full disk` };
  }
  return {
    dir,
    unmount: async () => {
      spawnSync('umount', ['-l', dir]);
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}
