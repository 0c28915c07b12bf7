import { LocateLease } from '../../src/application/database/leases/locate-lease';
import { InMemoryInstanceDirectory } from '../../src/adapters/in-memory/fakes/in-memory-instance-directory';
import { LeaseLost, LeaseNotFound } from '../../src/domain/database/lease';
import { FakeClock } from '../support/fake-clock';

const idOn = (instance: string) => `conn_${instance}_${'ab'.repeat(12)}`;

describe('LocateLease', () => {
  const world = () => {
    const clock = new FakeClock();
    const directory = new InMemoryInstanceDirectory(clock);
    return { clock, directory, locate: new LocateLease('self', directory, clock) };
  };

  it('serves here a lease of this instance, and anything that is not a lease id (the use cases answer 404)', async () => {
    const { locate } = world();
    await expect(locate.execute(idOn('self'))).resolves.toEqual({ kind: 'here' });
    await expect(locate.execute('not-a-lease')).resolves.toEqual({ kind: 'here' });
  });

  it("sends a live holder's leases to its internal address", async () => {
    const { locate, directory } = world();
    await directory.announce('peer', 'http://10.0.0.2:7001', 15);
    await expect(locate.execute(idOn('peer'))).resolves.toEqual({ kind: 'elsewhere', instanceId: 'peer', internalUrl: 'http://10.0.0.2:7001' });
  });

  it('answers LeaseLost (410) when the holder withdrew, LeaseNotFound (404) when it never existed', async () => {
    const { locate, directory } = world();
    await directory.announce('peer', 'http://10.0.0.2:7001', 15);
    await directory.withdraw('peer');
    await expect(locate.execute(idOn('peer'))).rejects.toMatchObject({ code: 'LEASE_LOST', details: { connection_id: idOn('peer'), transaction: 'rolled_back' } });
    await expect(locate.execute(idOn('stranger'))).rejects.toBeInstanceOf(LeaseNotFound);
  });

  it('still tries the last address of a holder whose heartbeat expired (the forwarder decides)', async () => {
    const { locate, directory, clock } = world();
    await directory.announce('quiet', 'http://10.0.0.3:7001', 15);
    clock.advance(16_000);
    await expect(locate.execute(idOn('quiet'))).resolves.toEqual({ kind: 'elsewhere', instanceId: 'quiet', internalUrl: 'http://10.0.0.3:7001' });
  });

  it('reuses a live address briefly, and asks again once told the holder did not answer', async () => {
    const { locate, directory } = world();
    await directory.announce('peer', 'http://10.0.0.2:7001', 15);
    await locate.execute(idOn('peer'));
    await directory.withdraw('peer');
    await expect(locate.execute(idOn('peer'))).resolves.toMatchObject({ kind: 'elsewhere' });
    locate.forget('peer');
    await expect(locate.execute(idOn('peer'))).rejects.toBeInstanceOf(LeaseLost);
  });
});
