import fs from 'node:fs/promises';
import path from 'node:path';
import type { ListedObject } from '../../application/ports/object-lister.port';
import type { StagedLeftover } from '../../application/ports/staging-leftovers.port';
import { assertUploadId } from './object-key';

/** A put's temporary beside its target (LocalDiskObjectStore.writeAtomically): `.<name>.<upload id>.partial`. */
const PARTIAL = /^\..+\.[a-f0-9]{32}\.partial$/s;
const UPLOAD_ID = /^[a-f0-9]{32}$/;

/**
 * Listing of a LocalDiskObjectStore's root for the orphan sweep: the objects (every file no dot-segment
 * leads to) and the leftovers (the staged files under `uploadsDir`, the `.partial` temporaries of puts).
 */
export class LocalDiskListing {
  constructor(
    private readonly root: string,
    private readonly uploadsDir: string,
  ) {}

  async *objects(prefix = ''): AsyncGenerator<ListedObject> {
    // Walk from the folder the prefix names, not the whole root.
    const folder = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
    if (folder.split('/').some((segment) => segment.startsWith('.') || segment === '..')) return;
    for await (const file of walk(this.root, folder)) {
      if (!file.relative.startsWith(prefix) || file.relative.split('/').some((segment) => segment.startsWith('.'))) continue;
      yield { key: file.relative, size: file.size, lastModified: file.mtime };
    }
  }

  async *leftovers(): AsyncGenerator<StagedLeftover> {
    const staged = await fs.opendir(path.join(this.root, this.uploadsDir)).catch(ignoreMissing);
    if (staged) {
      for await (const entry of staged) {
        if (!UPLOAD_ID.test(entry.name)) continue;
        const stats = await fs.stat(path.join(this.root, this.uploadsDir, entry.name)).catch(ignoreMissing);
        if (stats) yield { ref: `${this.uploadsDir}/${entry.name}`, kind: 'staged_upload', uploadTag: entry.name, size: stats.size, lastModified: stats.mtime };
      }
    }
    for await (const file of walk(this.root, '', true)) {
      if (PARTIAL.test(path.posix.basename(file.relative))) yield { ref: file.relative, kind: 'partial_write', uploadTag: null, size: file.size, lastModified: file.mtime };
    }
  }

  async remove(ref: string): Promise<void> {
    await fs.rm(this.resolveLeftover(ref), { recursive: true, force: true });
  }

  /** Only what `leftovers` names: a staged upload, or a `.partial` under folders a key could name. */
  private resolveLeftover(ref: string): string {
    const segments = ref.split('/');
    const staged = segments.length === 2 && segments[0] === this.uploadsDir;
    if (staged) assertUploadId(segments[1]!);
    const partial = !staged && PARTIAL.test(segments.at(-1)!) && segments.slice(0, -1).every((s) => s !== '' && !s.startsWith('.'));
    if (!staged && !partial) throw new Error('Not a leftover of this store');
    const resolved = path.resolve(this.root, ...segments);
    if (!resolved.startsWith(path.resolve(this.root) + path.sep)) throw new Error('Not a leftover of this store');
    return resolved;
  }
}

interface WalkedFile {
  /** Relative to the root, with `/`. */
  relative: string;
  size: number;
  mtime: Date;
}

/** Files under `root/folder`, depth first, one folder open at a time; never into dot-folders. */
async function* walk(root: string, folder: string, hiddenFiles = false): AsyncGenerator<WalkedFile> {
  const dir = await fs.opendir(path.join(root, folder)).catch(ignoreMissing);
  if (!dir) return;
  const folders: string[] = [];
  for await (const entry of dir) {
    const relative = folder ? `${folder}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      if (!entry.name.startsWith('.')) folders.push(relative);
      continue;
    }
    if (!entry.isFile() || (entry.name.startsWith('.') && !hiddenFiles)) continue;
    const stats = await fs.stat(path.join(root, relative)).catch(ignoreMissing);
    if (stats) yield { relative, size: stats.size, mtime: stats.mtime };
  }
  for (const sub of folders) yield* walk(root, sub, hiddenFiles);
}

/** A file or folder removed while the walk went on is simply not there any more. */
function ignoreMissing(error: unknown): null {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return null;
  throw error;
}
