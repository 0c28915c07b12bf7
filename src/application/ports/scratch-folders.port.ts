import type { Readable } from 'node:stream';

/**
 * Private scratch files for engines that work file to file (ffmpeg needs a seekable input for many
 * containers, and writes its output to a file): the use case never touches the file system itself.
 */
export interface ScratchFolders {
  /** Runs `work` in a new private folder; the folder and all in it are removed afterwards, whatever happens. */
  use<T>(work: (folder: ScratchFolder) => Promise<T>): Promise<T>;
}

export interface ScratchFolder {
  /** The path a file named `name` has in the folder (nothing is created). */
  pathOf(name: string): string;
  /** Writes `content` to `name` in the folder; resolves with its path. */
  write(name: string, content: Readable): Promise<string>;
  /** Streams a file of the folder, such as what an engine wrote at `pathOf(name)`. */
  read(path: string): Readable;
}
