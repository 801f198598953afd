import type { Language } from '../../../core/i18n/languages.js';
import type { NextAction, PaymentMethod } from '../../../ports/payment-provider.js';
import type { CatalogPackage, PricedPackage } from '../../../services/catalog/catalog.js';
import type { LineRef } from '../../../services/lines/lines.js';
import type { LineOverview } from '../../../services/lines/overview.js';
import type { RenewalService } from '../../../services/renewal/renewal-service.js';
import type { StoreFinder } from '../../../services/stores/store-finder.js';
import type { FxRates } from './approximate-price.js';
import type { SiteShell } from './layout.js';

/** What the site's pages need, and nothing more: each a service call (no SQL in a channel). */
export interface SiteDependencies {
  readonly shell: SiteShell;
  readonly renewal: RenewalService;
  readonly lineOverview: (ref: LineRef) => Promise<LineOverview>;
  /** Packs on sale on the web channel, with their current prices. */
  readonly listPackages: () => Promise<PricedPackage[]>;
  readonly findPackage: (code: string) => Promise<CatalogPackage>;
  /** The online methods the payment router offers now. */
  readonly methods: () => readonly PaymentMethod[];
  /** Where to renew in person (the store finder, /stores). */
  readonly stores: StoreFinder;
  readonly fx_rates: FxRates;
  readonly default_language: Language;
  /** Mail is configured: a payer's e-mail gets the receipt (else its link goes by SMS), and the form says so. */
  readonly email_receipts: boolean;
  /** Cookies get `Secure` when the site is served over https. */
  readonly secure_cookies: boolean;
  readonly now_ms: () => number;
}

/** The providers' methods, and the line's own balance last (for its owner only: the wallet page checks who pays). */
export function payableMethods(deps: Pick<SiteDependencies, 'methods'>): PaymentMethod[] {
  return [...deps.methods(), 'wallet'];
}

/** The provider's page to send the payer to (a QR payment has one too, for another device); undefined for none. */
export function providerPageUrl(next_action: NextAction | null): string | undefined {
  return next_action?.type === 'redirect' || next_action?.type === 'qr' ? next_action.url : undefined;
}
