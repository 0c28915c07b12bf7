import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { TempScratchFolders } from '../../src/adapters/file-system/temp-scratch-folders';

/** The scratch space of file-to-file engines: what is written reads back, and nothing outlives `use`. */
describe('TempScratchFolders', () => {
  let parent: string;
  let folders: TempScratchFolders;
  beforeEach(async () => {
    parent = await mkdtemp(join(tmpdir(), 'scratch-test-'));
    folders = new TempScratchFolders(parent);
  });
  afterEach(() => rm(parent, { recursive: true, force: true }));

  const readText = async (stream: Readable) => {
    let text = '';
    for await (const chunk of stream) text += String(chunk);
    return text;
  };

  it('writes a stream into the folder, reads back what an engine left at pathOf, then removes the folder', async () => {
    const seen = await folders.use(async (folder) => {
      const input = await folder.write('input.mp4', Readable.from(['source ', 'bytes']));
      await writeFile(folder.pathOf('output.webm'), 'what ffmpeg wrote');
      return { input: await readText(folder.read(input)), output: await readText(folder.read(folder.pathOf('output.webm'))), path: input };
    });
    expect(seen).toMatchObject({ input: 'source bytes', output: 'what ffmpeg wrote' });
    expect(existsSync(seen.path)).toBe(false);
    await expect(readdir(parent)).resolves.toEqual([]);
  });

  it('removes the folder when the work fails, and passes the failure on', async () => {
    const failure = new Error('engine failed');
    await expect(
      folders.use(async (folder) => {
        await folder.write('input', Readable.from(['x']));
        throw failure;
      }),
    ).rejects.toBe(failure);
    await expect(readdir(parent)).resolves.toEqual([]);
  });

  it('gives each use its own folder', async () => {
    const paths = await Promise.all([folders.use(async (f) => f.pathOf('a')), folders.use(async (f) => f.pathOf('a'))]);
    expect(paths[0]).not.toBe(paths[1]);
  });
});
