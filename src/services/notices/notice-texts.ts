import type { Language } from '../../core/i18n/languages.js';
import type { UsageKind } from '../../core/units.js';
import { gsm7Septets } from '../../core/ussd-text.js';

/**
 * The texts of SMS notices, in the line's language. Each is meant to fit one SMS: 160 GSM-7
 * characters (English uses GSM-7 only: "RUB", never the rouble sign), 70 UCS-2 characters
 * (Russian, Chinese). A test checks every text with the demo catalog's pack names. Two texts may
 * not fit in Russian and Chinese and are then sent as two parts: the receipt link (the link alone,
 * with its 22-character token, is about 70 characters) and a pack name the operator made long.
 * Alerts end with how to renew: `#102#` and the renewal link when both fit one SMS, else `#102#`
 * alone (it works without data, which a traveller out of data needs most).
 */

/** One SMS: GSM-7 septets (the extension table counts two), or UTF-16 units in UCS-2. */
export const SMS_GSM7_SEPTETS_MAX = 160;
export const SMS_UCS2_CHARACTERS_MAX = 70;
/** The USSD renewal menu (issue 11's `#102#`). */
export const RENEWAL_USSD_CODE = '#102#';

export function fitsOneSms(text: string): boolean {
  const septets = gsm7Septets(text);
  return septets === null ? text.length <= SMS_UCS2_CHARACTERS_MAX : septets <= SMS_GSM7_SEPTETS_MAX;
}

export interface PackActiveText { readonly pack: string; readonly until: string }
export interface ReceiptText { readonly number: string; readonly url: string }
/** `url`: the fiscal receipts' page of a payment returned without a receipt of ours (a duplicate payment). */
export interface RefundText { readonly amount: string; readonly to_wallet: boolean; readonly url?: string | null }
/** A wallet top-up, with its fiscal receipt's link when a register makes one. */
export interface TopUpText { readonly amount: string; readonly url: string | null }
export interface UsageText { readonly kind: UsageKind; readonly percent: number; readonly left: string; readonly pack: string }
export interface ExpiryText { readonly pack: string; readonly until: string }

interface NoticeTexts {
  readonly pack_active: (p: PackActiveText) => string;
  readonly receipt: (p: ReceiptText) => string;
  readonly refund: (p: RefundText) => string;
  readonly top_up: (p: TopUpText) => string;
  /** Below 100 %: how much is used and what is left. */
  readonly usage_used: (p: UsageText) => string;
  /** At 100 %: that kind of the pack is used up. */
  readonly usage_used_up: (p: UsageText) => string;
  readonly expiry_soon: (p: ExpiryText) => string;
  /** 303-FZ: the owner's identity is confirmed, the line works. */
  readonly identity_confirmed: string;
  readonly renew_with_link: (link: string) => string;
  readonly renew_short: string;
}

const KIND_EN: Record<UsageKind, string> = { data: 'data', voice: 'call minutes', sms: 'SMS' };
const KIND_RU: Record<UsageKind, string> = { data: 'интернета', voice: 'минут', sms: 'SMS' };
const KIND_RU_SUBJECT: Record<UsageKind, string> = { data: 'Интернет', voice: 'Минуты', sms: 'SMS' };
const KIND_ZH_HANS: Record<UsageKind, string> = { data: '流量', voice: '通话分钟', sms: '短信' };
const KIND_ZH_HANT: Record<UsageKind, string> = { data: '流量', voice: '通話分鐘', sms: '簡訊' };

const TEXTS: Readonly<Record<Language, NoticeTexts>> = {
  en: {
    pack_active: ({ pack, until }) => `Payment received: ${pack} is active until ${until}. Balance: dial #100#.`,
    receipt: ({ number, url }) => `Your roamcard receipt ${number}: ${url}`,
    top_up: ({ amount, url }) => `Your roamcard balance was topped up by ${amount}. ${url === null ? 'Balance: dial #100#.' : `Receipt: ${url}`}`,
    refund: ({ amount, to_wallet, url }) => (to_wallet
      ? `${amount} has been refunded to your roamcard balance.`
      : `${amount} has been refunded to the card or account you paid with. Banks may take a few days to show it.`)
      + (url ? ` Receipts: ${url}` : ''),
    usage_used: ({ kind, percent, left, pack }) => `You have used ${percent}% of the ${KIND_EN[kind]} in ${pack}: ${left} left.`,
    usage_used_up: ({ kind, pack }) => `The ${KIND_EN[kind]} in ${pack} is used up.`,
    expiry_soon: ({ pack, until }) => `${pack} ends ${until}.`,
    identity_confirmed: 'Your identity is confirmed: your roamcard number now works. Balance and packs: dial #100#, renew: #102#.',
    renew_with_link: (link) => `Renew: dial ${RENEWAL_USSD_CODE} or ${link}`,
    renew_short: `Renew: dial ${RENEWAL_USSD_CODE}`,
  },
  ru: {
    pack_active: ({ pack, until }) => `Оплата получена. «${pack}» действует до ${until}.`,
    receipt: ({ url }) => `Чек roamcard: ${url}`,
    top_up: ({ amount, url }) => `Баланс roamcard пополнен на ${amount}. ${url === null ? 'Остаток: #100#.' : `Чек: ${url}`}`,
    refund: ({ amount, to_wallet, url }) => (to_wallet
      ? `Возврат ${amount} зачислен на ваш баланс roamcard.`
      : `Возврат ${amount} отправлен на карту или счёт, с которых вы платили.`)
      + (url ? ` Чеки: ${url}` : ''),
    usage_used: ({ kind, percent, left }) => `Израсходовано ${percent}% ${KIND_RU[kind]}, осталось ${left}.`,
    usage_used_up: ({ kind }) => `${KIND_RU_SUBJECT[kind]} по пакету закончились.`,
    expiry_soon: ({ pack, until }) => `«${pack}» действует до ${until}.`,
    identity_confirmed: 'Личность подтверждена, номер работает. Баланс: #100#, продлить: #102#',
    renew_with_link: (link) => `Продлить: ${RENEWAL_USSD_CODE} или ${link}`,
    renew_short: `Продлить: ${RENEWAL_USSD_CODE}`,
  },
  'zh-Hans': {
    pack_active: ({ pack, until }) => `已收到付款，“${pack}”已生效，有效期至${until}。查询余额请拨#100#。`,
    receipt: ({ url }) => `远游卡收据：${url}`,
    top_up: ({ amount, url }) => `远游卡余额已充值${amount}。${url === null ? '查询余额请拨#100#。' : `收据：${url}`}`,
    refund: ({ amount, to_wallet, url }) => (to_wallet
      ? `${amount}已退回您的远游卡余额。`
      : `${amount}已退回您付款的银行卡或账户，到账可能需要几天。`)
      + (url ? `收据：${url}` : ''),
    usage_used: ({ kind, percent, left, pack }) => `“${pack}”的${KIND_ZH_HANS[kind]}已用${percent}%，剩余${left}。`,
    usage_used_up: ({ kind, pack }) => `“${pack}”的${KIND_ZH_HANS[kind]}已用完。`,
    expiry_soon: ({ pack, until }) => `“${pack}”将于${until}到期。`,
    identity_confirmed: '您的身份已确认，号码已可使用。查询余额请拨#100#，续费请拨#102#。',
    renew_with_link: (link) => `续费请拨${RENEWAL_USSD_CODE}或访问${link}`,
    renew_short: `续费请拨${RENEWAL_USSD_CODE}`,
  },
  'zh-Hant': {
    pack_active: ({ pack, until }) => `已收到付款，「${pack}」已生效，有效期至${until}。查詢餘額請撥#100#。`,
    receipt: ({ url }) => `遠遊卡收據：${url}`,
    top_up: ({ amount, url }) => `遠遊卡餘額已儲值${amount}。${url === null ? '查詢餘額請撥#100#。' : `收據：${url}`}`,
    refund: ({ amount, to_wallet, url }) => (to_wallet
      ? `${amount}已退回您的遠遊卡餘額。`
      : `${amount}已退回您付款的銀行卡或帳戶，到帳可能需要幾天。`)
      + (url ? `收據：${url}` : ''),
    usage_used: ({ kind, percent, left, pack }) => `「${pack}」的${KIND_ZH_HANT[kind]}已用${percent}%，剩餘${left}。`,
    usage_used_up: ({ kind, pack }) => `「${pack}」的${KIND_ZH_HANT[kind]}已用完。`,
    expiry_soon: ({ pack, until }) => `「${pack}」將於${until}到期。`,
    identity_confirmed: '您的身分已確認，號碼已可使用。查詢餘額請撥#100#，續費請撥#102#。',
    renew_with_link: (link) => `續費請撥${RENEWAL_USSD_CODE}或前往${link}`,
    renew_short: `續費請撥${RENEWAL_USSD_CODE}`,
  },
};

export function packActiveText(language: Language, p: PackActiveText): string {
  return TEXTS[language].pack_active(p);
}

export function identityConfirmedText(language: Language): string {
  return TEXTS[language].identity_confirmed;
}

export function receiptText(language: Language, p: ReceiptText): string {
  return TEXTS[language].receipt(p);
}

export function refundText(language: Language, p: RefundText): string {
  return TEXTS[language].refund(p);
}

export function topUpText(language: Language, p: TopUpText): string {
  return TEXTS[language].top_up(p);
}

/** A usage alert: how much is used (or that it is used up), then how to renew. */
export function usageAlertText(language: Language, p: UsageText, renewal_link: string): string {
  const texts = TEXTS[language];
  return withRenewal(language, p.percent >= 100 ? texts.usage_used_up(p) : texts.usage_used(p), renewal_link);
}

export function expiryAlertText(language: Language, p: ExpiryText, renewal_link: string): string {
  return withRenewal(language, TEXTS[language].expiry_soon(p), renewal_link);
}

function withRenewal(language: Language, body: string, renewal_link: string): string {
  const texts = TEXTS[language];
  const separator = language.startsWith('zh') ? '' : ' ';
  const full = `${body}${separator}${texts.renew_with_link(renewal_link)}`;
  return fitsOneSms(full) ? full : `${body}${separator}${texts.renew_short}`;
}
