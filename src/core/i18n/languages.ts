export const LANGUAGES = ['zh-Hans', 'zh-Hant', 'ru', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
export const DEFAULT_LANGUAGE: Language = 'en';

/** Each language's own name, written in that language: language pickers show these in every language. */
export const LANGUAGE_NAMES: Readonly<Record<Language, string>> = {
  'zh-Hans': '简体中文',
  'zh-Hant': '繁體中文',
  ru: 'Русский',
  en: 'English',
};

export function isLanguage(value: string): value is Language {
  return (LANGUAGES as readonly string[]).includes(value);
}

/** Accepts common spellings ("zh-CN", "zh_TW", "RU", "zh-hans") and maps them onto our four. */
export function normalizeLanguage(value: string | undefined | null): Language | undefined {
  if (!value) return undefined;
  const tag = value.trim().replace('_', '-').toLowerCase();
  if (tag === 'zh-hant' || tag === 'zh-tw' || tag === 'zh-hk' || tag === 'zh-mo' || tag.startsWith('zh-hant-')) return 'zh-Hant';
  if (tag === 'zh' || tag.startsWith('zh-')) return 'zh-Hans';
  if (tag === 'ru' || tag.startsWith('ru-')) return 'ru';
  if (tag === 'en' || tag.startsWith('en-')) return 'en';
  return undefined;
}
