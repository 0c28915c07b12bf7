import type { IncomingMessage } from 'node:http';

/**
 * Requests the internal listener accepted (signature checked): served here whatever their lease,
 * never forwarded again. A mark on the request object, not a header, so no client can set it.
 */
const forwarded = new WeakSet<IncomingMessage>();

export function markForwarded(req: IncomingMessage): void {
  forwarded.add(req);
}

export function isForwarded(req: IncomingMessage): boolean {
  return forwarded.has(req);
}
