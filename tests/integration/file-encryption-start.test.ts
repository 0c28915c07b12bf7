import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ServiceProcess } from '../support/service-process';

/** A wrong keyring stops the start before anything else, with exit 78 and no key material in the output. */
describe('a malformed ENCRYPTION_KEYS at start', () => {
  let home: string;
  beforeAll(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'vb-keyring-'));
  });
  afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

  it('exits 78 naming the variable, never the value', async () => {
    const short = randomBytes(20).toString('base64');
    const good = randomBytes(32).toString('base64');
    const service = new ServiceProcess({ PORT: '0', DATA_DIR: path.join(home, 'data'), ENCRYPTION_KEYS: `old:${good},new:${short}`, ENCRYPTION_ACTIVE_KEY: 'new' });
    service.start();
    const code = await new Promise<number | null>((resolve) => {
      const poll = setInterval(() => {
        if (service.exitCode !== undefined) {
          clearInterval(poll);
          resolve(service.exitCode);
        }
      }, 100);
    });
    expect(code).toBe(78);
    expect(service.output).toContain('ENCRYPTION_KEYS');
    expect(service.output).toContain('"new"');
    expect(service.output).not.toContain(short);
    expect(service.output).not.toContain(good);
  }, 60_000);
});
