import type { Role } from '../../../domain/auth/caller';

/** A role's quota in bytes; null is unlimited. */
export type QuotaByRole = Record<Role, number | null>;

export interface StorageUsage {
  usedBytes: number;
  quotaBytes: number | null;
  usagePercent: number;
}

export function usageOf(usedBytes: number, quotaBytes: number | null): StorageUsage {
  const usagePercent = quotaBytes ? Math.round((usedBytes / quotaBytes) * 10_000) / 100 : 0;
  return { usedBytes, quotaBytes, usagePercent };
}
