import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ScratchFolder, ScratchFolders } from '../../application/ports/scratch-folders.port';

/** Large media outputs are read back in big chunks: fewer reads, same memory bound. */
const READ_CHUNK_BYTES = 1024 * 1024;

/** Folders under the OS temp directory (mkdtemp: private to this process's user, unique names). */
export class TempScratchFolders implements ScratchFolders {
  constructor(private readonly parent: string = tmpdir(), private readonly prefix = 'transform-') {}

  async use<T>(work: (folder: ScratchFolder) => Promise<T>): Promise<T> {
    const path = await mkdtemp(join(this.parent, this.prefix));
    try {
      return await work(new TempFolder(path));
    } finally {
      await rm(path, { recursive: true, force: true });
    }
  }
}

class TempFolder implements ScratchFolder {
  constructor(private readonly path: string) {}

  pathOf(name: string): string {
    return join(this.path, name);
  }

  async write(name: string, content: Readable): Promise<string> {
    const target = this.pathOf(name);
    await pipeline(content, createWriteStream(target));
    return target;
  }

  read(path: string): Readable {
    return createReadStream(path, { highWaterMark: READ_CHUNK_BYTES });
  }
}
