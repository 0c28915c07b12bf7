import { DomainError } from '../shared/domain-error';

/**
 * The caller asked for more new renditions than RENDER_NEW_PER_MINUTE allows (cached ones never
 * count). The same code as the request rate limit, so clients handle both alike (429, Retry-After).
 */
export class RenditionRateExceeded extends DomainError<'RATE_LIMIT_EXCEEDED'> {
  readonly code = 'RATE_LIMIT_EXCEEDED';
}
