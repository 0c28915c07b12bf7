import type { CdnPurger, CdnTrafficSource } from '../../application/ports/cdn.port';
import type { Logger } from '../../application/ports/logger.port';
import { AzureCdnPurger } from '../../adapters/cdn/azure-cdn-purger';
import { CloudflareCdnPurger } from '../../adapters/cdn/cloudflare-cdn-purger';
import { NoneCdnPurger } from '../../adapters/cdn/none-cdn-purger';
import { VarnishCdnPurger } from '../../adapters/cdn/varnish-cdn-purger';
import { VarnishTrafficSource } from '../../adapters/cdn/varnish-traffic-source';
import type { CdnConfig } from '../cdn-config';

/** One purger per configured CDN (config validation made sure each has its settings); `none` alone when there is none. */
export function cdnPurgers(cdn: CdnConfig): CdnPurger[] {
  const purgers: CdnPurger[] = [];
  if (cdn.varnish) purgers.push(new VarnishCdnPurger({ url: cdn.varnish.url }));
  if (cdn.cloudflare) purgers.push(new CloudflareCdnPurger(cdn.cloudflare));
  if (cdn.azure) purgers.push(new AzureCdnPurger(cdn.azure));
  return purgers.length > 0 ? purgers : [new NoneCdnPurger()];
}

/** The CDN's own request log, when one can be read here: Varnish's, through varnishncsa, when VARNISH_NAME is set. */
export function cdnTrafficSource(cdn: CdnConfig, logger: Logger): CdnTrafficSource | null {
  if (!cdn.varnish?.name) return null;
  return new VarnishTrafficSource({ workdir: cdn.varnish.name, logger });
}
