import { randomBytes } from 'node:crypto';
import type { InstanceDirectory } from '../../src/application/ports/instance-directory.port';

export interface InstanceDirectoryWorld {
  directory: InstanceDirectory;
  /** Lets `ms` pass on the directory's clock (real time for a real store). */
  elapse(ms: number): Promise<void>;
}

const anId = () => `i-${randomBytes(4).toString('hex')}`;

/** What every instance registry does: live while heartbeating, gone once withdrawn or silent, forgotten long after. */
export function instanceDirectoryContract(name: string, make: () => Promise<InstanceDirectoryWorld>): void {
  describe(`${name} (InstanceDirectory contract)`, () => {
    let world: InstanceDirectoryWorld;
    beforeEach(async () => {
      world = await make();
    });

    it('knows nothing of an instance never announced', async () => {
      await expect(world.directory.status(anId())).resolves.toEqual({ state: 'unknown' });
    });

    it('gives a live instance its latest address; a renewal moves it', async () => {
      const id = anId();
      await world.directory.announce(id, 'http://127.0.0.1:4001', 30);
      await expect(world.directory.status(id)).resolves.toEqual({ state: 'live', internalUrl: 'http://127.0.0.1:4001' });
      await world.directory.announce(id, 'http://127.0.0.1:4002', 30);
      await expect(world.directory.status(id)).resolves.toEqual({ state: 'live', internalUrl: 'http://127.0.0.1:4002' });
    });

    it('counts an instance gone once withdrawn, and live again if it announces itself again', async () => {
      const id = anId();
      await world.directory.announce(id, 'http://127.0.0.1:4003', 30);
      await world.directory.withdraw(id);
      await expect(world.directory.status(id)).resolves.toEqual({ state: 'gone', withdrawn: true, internalUrl: 'http://127.0.0.1:4003' });
      await world.directory.announce(id, 'http://127.0.0.1:4003', 30);
      await expect(world.directory.status(id)).resolves.toEqual({ state: 'live', internalUrl: 'http://127.0.0.1:4003' });
    });

    it('counts an instance gone once its heartbeat expires, and forgets it only long after', async () => {
      const [silent, beating] = [anId(), anId()];
      await world.directory.announce(silent, 'http://127.0.0.1:4004', 1);
      await world.directory.announce(beating, 'http://127.0.0.1:4005', 60);
      await world.elapse(1_300);
      await expect(world.directory.status(silent)).resolves.toEqual({ state: 'gone', withdrawn: false, internalUrl: 'http://127.0.0.1:4004' });
      await expect(world.directory.status(beating)).resolves.toMatchObject({ state: 'live' });
      await world.directory.forgetGoneFor(60);
      await expect(world.directory.status(silent)).resolves.toMatchObject({ state: 'gone' });
      await world.directory.forgetGoneFor(0);
      await expect(world.directory.status(silent)).resolves.toEqual({ state: 'unknown' });
      await expect(world.directory.status(beating)).resolves.toMatchObject({ state: 'live' });
    });
  });
}
