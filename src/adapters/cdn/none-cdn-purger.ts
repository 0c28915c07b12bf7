import type { CdnPurger } from '../../application/ports/cdn.port';
import type { CdnTarget } from '../../domain/storage/cdn';

/** No shared cache in front of the origin: nothing to purge, and nothing is pretended. */
export class NoneCdnPurger implements CdnPurger {
  readonly provider = 'none' as const;

  async purge(_targets: CdnTarget[]): Promise<number> {
    return 0;
  }
}
