import { instanceOf, LeaseLost, LeaseNotFound } from '../../../domain/database/lease';
import type { Clock } from '../../ports/clock.port';
import type { InstanceDirectory } from '../../ports/instance-directory.port';

export type LeaseLocation = { kind: 'here' } | { kind: 'elsewhere'; instanceId: string; internalUrl: string };

/** How long a live holder's address is reused without asking the directory again. */
const LIVE_CACHE_MS = 2_000;

/**
 * Where the lease a request names is held: here, or at another instance's internal address (the
 * request is then forwarded there). A holder that withdrew (shut down, its leases released) means
 * the lease is lost (410); one whose heartbeat merely expired is still tried at its last address, the
 * forwarder answering 410 if nothing (or another process) answers there, so a holder only cut off
 * from the registry for a while does not have its live leases declared lost. A holder never heard
 * of means no such lease (404). Ids that are not lease ids are left to the use cases (here), which
 * answer 404 as for any unknown lease.
 */
export class LocateLease {
  private readonly cache = new Map<string, { internalUrl: string; until: number }>();

  constructor(
    private readonly selfId: string,
    private readonly directory: InstanceDirectory,
    private readonly clock: Clock,
  ) {}

  async execute(connectionId: string): Promise<LeaseLocation> {
    const holder = instanceOf(connectionId);
    if (holder === null || holder === this.selfId) return { kind: 'here' };
    const now = this.clock.now().getTime();
    const cached = this.cache.get(holder);
    if (cached && cached.until > now) return { kind: 'elsewhere', instanceId: holder, internalUrl: cached.internalUrl };
    const status = await this.directory.status(holder);
    if (status.state === 'unknown') throw new LeaseNotFound(connectionId);
    if (status.state === 'gone') {
      if (status.withdrawn) throw new LeaseLost(connectionId);
      return { kind: 'elsewhere', instanceId: holder, internalUrl: status.internalUrl };
    }
    this.cache.set(holder, { internalUrl: status.internalUrl, until: now + LIVE_CACHE_MS });
    return { kind: 'elsewhere', instanceId: holder, internalUrl: status.internalUrl };
  }

  /** The holder did not answer: ask the directory next time. */
  forget(instanceId: string): void {
    this.cache.delete(instanceId);
  }
}
