import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * A development secret generated once and kept in a file (mode 0600), shared by every process using
 * the same DATA_DIR. The file appears with its whole content or not at all: the secret is written to a
 * private temporary file first and then hard-linked to its name, and link fails when another process
 * got there first, in which case theirs is read. (Creating the name with 'wx' and writing after left a
 * moment where a concurrent reader saw an empty file and replaced it.) A kept value that `isValid`
 * refuses (an emptied file, say) is replaced, not trusted.
 */
export function keptSecret(file: string, generate: () => string, isValid: (value: string) => boolean): string {
  const kept = readIfPresent(file);
  if (kept !== null && isValid(kept)) return kept;
  if (kept !== null) fs.rmSync(file, { force: true });
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const value = generate();
  const temporary = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  fs.writeFileSync(temporary, `${value}\n`, { mode: 0o600, flag: 'wx' });
  try {
    fs.linkSync(temporary, file);
    return value;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const theirs = readIfPresent(file);
    if (theirs === null || !isValid(theirs)) throw new Error(`${file} holds no usable secret; delete it and start again`);
    return theirs;
  } finally {
    fs.rmSync(temporary, { force: true });
  }
}

function readIfPresent(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}
