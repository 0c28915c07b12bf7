import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import type { ScratchFolders } from '../../src/application/ports/scratch-folders.port';

export interface ScratchFoldersUnderTest {
  folders: ScratchFolders;
  /** May check what the adapter left behind (nothing), then cleans up. */
  close(): Promise<void>;
}

async function bytesOf(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(Buffer.from(part));
  return Buffer.concat(parts);
}

/**
 * What every ScratchFolders promises to RunTransformation: a private folder of real paths an engine
 * (ffmpeg) can read and write, whose files read back as written, removed with all in it once `use`
 * settles, whether the work succeeded or failed.
 */
export function scratchFoldersContract(name: string, make: () => Promise<ScratchFoldersUnderTest>): void {
  describe(`${name} (ScratchFolders contract)`, () => {
    let s: ScratchFoldersUnderTest;
    beforeEach(async () => {
      s = await make();
    });
    afterEach(() => s.close());

    it('writes a stream into the folder, reads back what an engine left at pathOf, then removes the folder', async () => {
      const seen = await s.folders.use(async (folder) => {
        const input = await folder.write('input.mp4', Readable.from(['source ', 'bytes']));
        await writeFile(folder.pathOf('output.webm'), 'what ffmpeg wrote');
        return {
          input: (await bytesOf(folder.read(input))).toString(),
          output: (await bytesOf(folder.read(folder.pathOf('output.webm')))).toString(),
          path: input,
        };
      });
      expect(seen).toMatchObject({ input: 'source bytes', output: 'what ffmpeg wrote' });
      expect(existsSync(seen.path)).toBe(false);
      expect(existsSync(dirname(seen.path))).toBe(false);
    });

    it('names paths without creating anything', async () => {
      await s.folders.use(async (folder) => {
        expect(existsSync(folder.pathOf('not-yet'))).toBe(false);
        expect(existsSync(dirname(folder.pathOf('not-yet')))).toBe(true);
      });
    });

    it('round-trips a multi-megabyte stream byte for byte', async () => {
      const pieces = Array.from({ length: 40 }, () => randomBytes(100_000));
      const back = await s.folders.use(async (folder) => bytesOf(folder.read(await folder.write('big.bin', Readable.from(pieces)))));
      expect(back.equals(Buffer.concat(pieces))).toBe(true);
    });

    it('removes the folder when the work fails, and passes the failure on', async () => {
      const failure = new Error('engine failed');
      let written = '';
      await expect(
        s.folders.use(async (folder) => {
          written = await folder.write('input', Readable.from(['x']));
          throw failure;
        }),
      ).rejects.toBe(failure);
      expect(written).not.toBe('');
      expect(existsSync(written)).toBe(false);
      expect(existsSync(dirname(written))).toBe(false);
    });

    it('gives each use its own folder, even at once', async () => {
      const [a, b] = await Promise.all(
        ['first', 'second'].map((content) =>
          s.folders.use(async (folder) => {
            const path = await folder.write('same-name', Readable.from([content]));
            await new Promise((r) => setTimeout(r, 20));
            return { path, content: (await bytesOf(folder.read(path))).toString() };
          }),
        ),
      );
      expect(a!.path).not.toBe(b!.path);
      expect([a!.content, b!.content]).toEqual(['first', 'second']);
    });
  });
}
