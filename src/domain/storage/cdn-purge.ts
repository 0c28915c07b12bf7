import { UUID_SOURCE } from '../shared/uuid';
import type { CdnProvider, CdnTarget, PurgeStatus, PurgeType } from './cdn';

const CDN_PATH = new RegExp(`^/cdn/(?:files|thumbnails|render)/(${UUID_SOURCE})(?:/|$|\\?)`, 'i');

/** Why a purge was asked: by a caller, or by the service when a file changed or went away. */
export type PurgeReason = 'request' | 'file_updated' | 'file_deleted';

/** One CDN's part of a purge (002: per-provider status and urls_purged). */
export interface ProviderPurge {
  provider: CdnProvider;
  status: PurgeStatus;
  urlsPurged: number;
  /** The provider's last refusal, without credentials. */
  error: string | null;
}

/** A purge request: its targets are fixed when asked, so it still runs after a file row is gone. */
export interface PurgeRequest {
  id: string;
  /** Who asked (the file owner for automatic purges). */
  userId: string;
  purgeType: PurgeType;
  reason: PurgeReason;
  fileIds: string[];
  targets: CdnTarget[];
  status: PurgeStatus;
  providers: ProviderPurge[];
  attempts: number;
  createdAt: Date;
  completedAt: Date | null;
}

/** Completed when every provider is; failed when any gave up; processing once any started. */
export function overallStatus(providers: ProviderPurge[]): PurgeStatus {
  if (providers.every((p) => p.status === 'completed')) return 'completed';
  if (providers.some((p) => p.status === 'failed')) return 'failed';
  if (providers.some((p) => p.status !== 'queued')) return 'processing';
  return 'queued';
}

/** The file a /cdn/ path serves (for thumbnails: the source file), or null for anything else. */
export function fileIdOfCdnPath(path: string): string | null {
  const match = CDN_PATH.exec(path);
  return match ? match[1]!.toLowerCase() : null;
}
