import { once } from 'node:events';
import { PassThrough, type Readable } from 'node:stream';

/**
 * One body to two uploads that read at their own pace: each piece goes to both, and the next is read
 * only once both have taken it (memory stays at a piece or two). A failure of the body fails both.
 */
export function teeBody(body: Readable): [Readable, Readable] {
  const outs = [new PassThrough(), new PassThrough()] as const;
  void (async () => {
    try {
      for await (const piece of body) {
        const full = outs.filter((out) => !out.destroyed && !out.write(piece));
        await Promise.all(full.map((out) => Promise.race([once(out, 'drain'), once(out, 'close')])));
      }
      outs.forEach((out) => out.end());
    } catch (error) {
      outs.forEach((out) => out.destroy(error as Error));
    }
  })();
  return [outs[0], outs[1]];
}
