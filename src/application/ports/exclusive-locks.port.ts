/**
 * Named locks that one process at a time holds across every process and instance sharing the
 * database, for as long as that process keeps them: a process that dies (or loses its connection)
 * frees its locks at once, and another one may take them.
 */
export interface ExclusiveLocks {
  /** True when this process now holds `name` (or already did); false when another one does. */
  tryAcquire(name: string): Promise<boolean>;
  release(name: string): Promise<void>;
  /** Told, once, of the names this process held when it lost them all (its session ended). */
  onLost(listener: (names: string[]) => void): void;
  close(): Promise<void>;
}
