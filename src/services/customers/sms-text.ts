import type { Language } from '../../core/i18n/languages.js';
import { gsm7Septets } from '../../core/ussd-text.js';

/**
 * The sign-in SMS in the customer's language. Each fits one SMS: 160 GSM-7 characters in English,
 * 70 UCS-2 characters in Russian and Chinese (checked by a test). The code comes first, so a
 * phone's notification preview shows it, and the warning says never to pass it on: the usual
 * way such codes are stolen is a caller asking for them.
 */
const SIGN_IN_TEXTS: Readonly<Record<Language, (p: { code: string; minutes: number }) => string>> = {
  en: ({ code, minutes }) => `${code} is your roamcard sign-in code. It is valid for ${minutes} min. Never tell it to anyone, even to us.`,
  ru: ({ code, minutes }) => `${code} — код входа roamcard. Действует ${minutes} мин. Никому его не сообщайте.`,
  'zh-Hans': ({ code, minutes }) => `${code}是您的远游卡登录验证码，${minutes}分钟内有效。请勿告诉任何人。`,
  'zh-Hant': ({ code, minutes }) => `${code}是您的遠遊卡登入驗證碼，${minutes}分鐘內有效。請勿告訴任何人。`,
};

export function signInSmsText(language: Language, code: string, valid_minutes: number): string {
  return SIGN_IN_TEXTS[language]({ code, minutes: valid_minutes });
}

/**
 * The code that lets someone pay from this line's balance, sent to the line itself: the amount
 * first (what is being agreed to), and what to do if the owner did not ask. One SMS each.
 */
const PAYMENT_CODE_TEXTS: Readonly<Record<Language, (p: { code: string; amount: string; minutes: number }) => string>> = {
  en: ({ code, amount, minutes }) => `${code} confirms paying ${amount} from your roamcard balance. Valid ${minutes} min. If you did not ask, ignore this SMS.`,
  ru: ({ code, amount, minutes }) => `Код ${code}: оплата ${amount} с баланса. Действует ${minutes} мин.`,
  'zh-Hans': ({ code, amount, minutes }) => `${code}是用远游卡余额支付${amount}的验证码，${minutes}分钟内有效。非本人操作请忽略。`,
  'zh-Hant': ({ code, amount, minutes }) => `${code}是用遠遊卡餘額付款${amount}的驗證碼，${minutes}分鐘內有效。非本人操作請忽略。`,
};

/** `amount` as the reader writes money; English uses "RUB", which GSM-7 has (the rouble sign is not in it). */
export function paymentCodeSmsText(language: Language, code: string, amount: string, valid_minutes: number): string {
  return PAYMENT_CODE_TEXTS[language]({ code, amount, minutes: valid_minutes });
}

/**
 * The payment link asked for in #102#: what it pays for, then the link, last, so that a phone makes
 * it tappable. When the pack's name would make it two SMS (a UCS-2 SMS holds 70 characters), the
 * name is left out: the amount and the page behind the link say the rest.
 */
const PAYMENT_LINK_TEXTS: Readonly<Record<Language, (p: { pack: string; amount: string; url: string }) => string>> = {
  en: ({ pack, amount, url }) => `roamcard: pay ${amount} for ${pack} here: ${url}`,
  ru: ({ pack, amount, url }) => `Оплата ${pack}, ${amount}: ${url}`,
  'zh-Hans': ({ pack, amount, url }) => `支付${pack}（${amount}）：${url}`,
  'zh-Hant': ({ pack, amount, url }) => `支付${pack}（${amount}）：${url}`,
};
const PAYMENT_LINK_SHORT_TEXTS: Readonly<Record<Language, (p: { amount: string; url: string }) => string>> = {
  en: ({ amount, url }) => `roamcard: pay ${amount} here: ${url}`,
  ru: ({ amount, url }) => `Оплата ${amount}: ${url}`,
  'zh-Hans': ({ amount, url }) => `支付${amount}：${url}`,
  'zh-Hant': ({ amount, url }) => `付款${amount}：${url}`,
};

/** One SMS: 160 GSM-7 septets, or 70 UCS-2 characters. */
export const SMS_GSM7_SEPTETS_MAX = 160;
export const SMS_UCS2_CHARACTERS_MAX = 70;

export function fitsOneSms(text: string): boolean {
  const septets = gsm7Septets(text);
  return septets === null ? text.length <= SMS_UCS2_CHARACTERS_MAX : septets <= SMS_GSM7_SEPTETS_MAX;
}

export function paymentLinkSmsText(language: Language, pack: string, amount: string, url: string): string {
  const full = PAYMENT_LINK_TEXTS[language]({ pack, amount, url });
  return fitsOneSms(full) ? full : PAYMENT_LINK_SHORT_TEXTS[language]({ amount, url });
}
