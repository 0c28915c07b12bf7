import { spawnSync } from 'node:child_process';
import { inflateSync } from 'node:zlib';
import { NativeFfmpegMediaTransformer } from '../../src/adapters/media/native-ffmpeg-media-transformer';
import { renderWaveformPng } from '../../src/adapters/media/waveform-png';
import { mediaTransformerContract } from '../contract/media-transformer.contract';

// .ci/run installs ffmpeg; on a machine without it this suite says so instead of failing.
const hasFfmpeg = spawnSync('ffmpeg', ['-version']).status === 0 && spawnSync('ffprobe', ['-version']).status === 0;
if (hasFfmpeg) {
  mediaTransformerContract('NativeFfmpegMediaTransformer', async () => ({ transformer: new NativeFfmpegMediaTransformer() }));
} else {
  it.skip('NativeFfmpegMediaTransformer: no ffmpeg/ffprobe on PATH (.ci/run installs them)', () => undefined);
}

describe('renderWaveformPng', () => {
  it('draws peaks as a PNG of the size asked, taller bars for louder peaks', () => {
    const png = renderWaveformPng([0, 1, 0.5, 0], { width: 4, height: 11, color: [255, 0, 0, 255], background: [0, 0, 0, 0] });
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(png.readUInt32BE(16)).toBe(4);
    expect(png.readUInt32BE(20)).toBe(11);
    const idatLength = png.readUInt32BE(33);
    const pixels = inflateSync(png.subarray(41, 41 + idatLength));
    const stride = 1 + 4 * 4;
    const columnHeight = (x: number) => Array.from({ length: 11 }, (_, y) => pixels[y * stride + 1 + x * 4 + 3]).filter((a) => a === 255).length;
    expect(columnHeight(1)).toBe(11);
    expect(columnHeight(2)).toBeGreaterThan(columnHeight(0));
    expect(columnHeight(2)).toBeLessThan(11);
  });
});
