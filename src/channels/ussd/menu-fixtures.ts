import type { Language } from '../../core/i18n/languages.js';
import type {
  BalancePurchase, LineRenewalRequest, PackOffer, PaymentLinkRequest,
} from '../../services/renewal/line-renewal.js';
import type { UssdRenewalPort } from './menu-engine.js';
import { FIXTURE_NOW_MS } from './overview-fixtures.js';

/**
 * Stand-ins for the renewal port in pure tests of the menu engine (no database): a fixed pack list
 * and scripted outcomes, recording each call so a test can say what the engine asked for. The
 * real service is tested on both databases (line-renewal.test.ts, ussd-renewal.test.ts).
 */

const names = (en: string, ru: string, zh_hans: string, zh_hant: string) => ({ en, ru, 'zh-Hans': zh_hans, 'zh-Hant': zh_hant });

/** Three packs with names as long as the demo catalog's, in the order the service ranks them. */
export const FIXTURE_PACKS: readonly PackOffer[] = [
  {
    code: 'data-5gb-7d', kind: 'data', names: names('5 GB data, 7 days', 'Интернет 5 ГБ на 7 дней', '5GB 流量 7天', '5GB 流量 7天'),
    data_mb: 5120, voice_minutes: 0, sms_count: 0, validity_hours: 168, price_minor: 50_000,
  },
  {
    code: 'combo-10gb-200min-30d', kind: 'combo',
    names: names('10 GB + 200 min, 30 days', 'Комбо 10 ГБ + 200 мин на 30 дней', '10GB+200分钟 30天', '10GB+200分鐘 30天'),
    data_mb: 10_240, voice_minutes: 200, sms_count: 0, validity_hours: 720, price_minor: 150_000,
  },
  {
    code: 'sms-50-30d', kind: 'sms', names: names('50 SMS, 30 days', '50 SMS на 30 дней', '50条短信 30天', '50則簡訊 30天'),
    data_mb: 0, voice_minutes: 0, sms_count: 50, validity_hours: 24, price_minor: 9_900,
  },
];

/** Refuses every call: for tests of #100#/#101#, which must not touch renewal. */
export const NO_RENEWAL: UssdRenewalPort = {
  packsForSale: () => Promise.reject(new Error('no renewal in this test')),
  buyFromBalance: () => Promise.reject(new Error('no renewal in this test')),
  sendPaymentLink: () => Promise.reject(new Error('no renewal in this test')),
  setLanguage: () => Promise.reject(new Error('no renewal in this test')),
};

export type RenewalCall =
  | { readonly call: 'buyFromBalance' | 'sendPaymentLink'; readonly request: LineRenewalRequest }
  | { readonly call: 'setLanguage'; readonly line_id: string; readonly language: Language };

/** A renewal port with scripted answers that records what it was asked. */
export class ScriptedRenewal implements UssdRenewalPort {
  readonly calls: RenewalCall[] = [];
  packs: readonly PackOffer[] = FIXTURE_PACKS;
  purchase: BalancePurchase = { outcome: 'active', order_id: 'order_fixture', expires_at_ms: FIXTURE_NOW_MS + 168 * 3_600_000 };
  link: PaymentLinkRequest = { outcome: 'sent', order_id: 'order_fixture' };

  packsForSale = async (): Promise<PackOffer[]> => [...this.packs];

  buyFromBalance = async (request: LineRenewalRequest): Promise<BalancePurchase> => {
    this.calls.push({ call: 'buyFromBalance', request });
    return this.purchase;
  };

  sendPaymentLink = async (request: LineRenewalRequest): Promise<PaymentLinkRequest> => {
    this.calls.push({ call: 'sendPaymentLink', request });
    return this.link;
  };

  setLanguage = async (line_id: string, language: Language): Promise<void> => {
    this.calls.push({ call: 'setLanguage', line_id, language });
  };
}
