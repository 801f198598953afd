import type { Language } from '../../core/i18n/languages.js';

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
