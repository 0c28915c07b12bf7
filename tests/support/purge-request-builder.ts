import { randomUUID } from 'node:crypto';
import type { CdnProvider, CdnTarget } from '../../src/domain/storage/cdn';
import type { PurgeRequest } from '../../src/domain/storage/cdn-purge';

/** `aPurgeRequest().forProviders('varnish', 'cloudflare').build()`: one file, its file URL and thumbnail alias, queued. */
export function aPurgeRequest(): PurgeRequestBuilder {
  return new PurgeRequestBuilder();
}

export class PurgeRequestBuilder {
  private request: PurgeRequest;

  constructor() {
    const fileId = randomUUID();
    const now = new Date(Math.floor(Date.now() / 1000) * 1000);
    this.request = {
      id: randomUUID(),
      userId: randomUUID(),
      purgeType: 'all',
      reason: 'request',
      fileIds: [fileId],
      targets: [target(fileId, `/cdn/files/${fileId}/0123456789abcdef`), target(fileId, `/cdn/thumbnails/${fileId}`)],
      status: 'queued',
      providers: [{ provider: 'varnish', status: 'queued', urlsPurged: 0, error: null }],
      attempts: 0,
      createdAt: now,
      completedAt: null,
    };
  }

  forProviders(...providers: CdnProvider[]): this {
    this.request.providers = providers.map((provider) => ({ provider, status: 'queued', urlsPurged: 0, error: null }));
    return this;
  }

  forTargets(targets: CdnTarget[]): this {
    this.request.fileIds = [...new Set(targets.map((t) => t.fileId))];
    this.request.targets = structuredClone(targets);
    return this;
  }

  build(): PurgeRequest {
    return structuredClone(this.request);
  }
}

function target(fileId: string, path: string): CdnTarget {
  return { fileId, path, url: `https://cdn.example.test${path}` };
}
