import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { keptSecret } from '../../src/infrastructure/kept-secret';

const generate = (): string => Math.random().toString(36).repeat(4);
const isValid = (value: string): boolean => value.length >= 32;

/** A generated secret kept in a file, read back by every process sharing the folder. */
describe('keptSecret', () => {
  let folder: string;
  beforeEach(() => (folder = fs.mkdtempSync(path.join(os.tmpdir(), 'vb-kept-secret-'))));
  afterEach(() => fs.rmSync(folder, { recursive: true, force: true }));

  it('generates once, keeps it owner-only, and leaves no temporary file behind', () => {
    const file = path.join(folder, 'nested', 'secret');
    const first = keptSecret(file, generate, isValid);
    expect(keptSecret(file, generate, isValid)).toBe(first);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(path.dirname(file))).toEqual(['secret']);
  });

  it('replaces a kept value that is not valid', () => {
    const file = path.join(folder, 'secret');
    fs.writeFileSync(file, 'short\n');
    const value = keptSecret(file, generate, isValid);
    expect(isValid(value)).toBe(true);
    expect(fs.readFileSync(file, 'utf8').trim()).toBe(value);
  });

  // The CI failure this guards against: two test processes started together, one saw the other's
  // file before its content was written, and got an empty key.
  it('gives the same secret to processes racing to create it', async () => {
    const file = path.join(folder, 'secret');
    const script = `const { keptSecret } = require(${JSON.stringify(path.resolve(__dirname, '../../src/infrastructure/kept-secret.ts'))});
      const start = Number(process.argv[1]); while (Date.now() < start) {}
      process.stdout.write(keptSecret(${JSON.stringify(file)}, () => require('node:crypto').randomBytes(32).toString('hex'), (v) => v.length === 64));`;
    const startAt = Date.now() + 1_500;
    const run = (): Promise<string> =>
      new Promise((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', '-e', script, String(startAt)], { stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        let err = '';
        child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
        child.on('error', reject);
        child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`exit ${code}: ${err}`))));
      });
    const values = await Promise.all(Array.from({ length: 6 }, run));
    expect(new Set(values).size).toBe(1);
    expect(values[0]).toHaveLength(64);
    expect(fs.readFileSync(file, 'utf8').trim()).toBe(values[0]);
  }, 30_000);
});
