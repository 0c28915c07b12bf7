/** What the directory knows of a service instance (a process), by the id its lease ids carry. */
export type InstanceStatus =
  /** Heartbeating: forwarded requests go to `internalUrl`. */
  | { state: 'live'; internalUrl: string }
  /**
   * Registered once, but withdrawn (a clean shutdown: its leases were released) or silent past its
   * heartbeat's expiry (dead, or only cut off from the registry: still worth a try at its last address).
   */
  | { state: 'gone'; withdrawn: boolean; internalUrl: string }
  /** Never registered (or forgotten long after it went): no lease of it can exist. */
  | { state: 'unknown' };

/**
 * The instance registry shared by every process and machine of the service: each process announces
 * the internal address where it takes forwarded lease requests, and renews it by heartbeat.
 */
export interface InstanceDirectory {
  /** Registers or renews `instanceId` at `internalUrl`, live for `ttlSeconds` from now (the store's clock). */
  announce(instanceId: string, internalUrl: string, ttlSeconds: number): Promise<void>;
  /** Marks the instance gone at once (a clean shutdown). */
  withdraw(instanceId: string): Promise<void>;
  status(instanceId: string): Promise<InstanceStatus>;
  /** Drops instances gone for longer than `seconds` (no lease outlives LEASE_MAX_TTL_SECONDS); returns how many. */
  forgetGoneFor(seconds: number): Promise<number>;
}
