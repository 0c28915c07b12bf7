import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TempScratchFolders } from '../../src/adapters/file-system/temp-scratch-folders';
import { scratchFoldersContract } from '../contract/scratch-folders.contract';

/** Each run under a parent of its own, which must be empty again once every use has settled. */
scratchFoldersContract('TempScratchFolders', async () => {
  const parent = await mkdtemp(join(tmpdir(), 'scratch-test-'));
  return {
    folders: new TempScratchFolders(parent),
    close: async () => {
      await expect(readdir(parent)).resolves.toEqual([]);
      await rm(parent, { recursive: true, force: true });
    },
  };
});
