import { normalizeLanguage, type Language } from '../../core/i18n/languages.js';

/**
 * The language of a response: an explicit `lang` query parameter, else the best of the
 * Accept-Language header (RFC 9110 §12.5.4: quality values, first listed wins a tie), else the
 * server's default.
 */

/** A header with more ranges than this is not from a browser; the rest are ignored. */
export const LANGUAGE_RANGES_MAX = 16;

export function languageFromAcceptLanguage(header: string | undefined): Language | undefined {
  if (!header) return undefined;
  const ranges = header
    .split(',')
    .slice(0, LANGUAGE_RANGES_MAX)
    .map((range, position) => {
      const [tag = '', ...parameters] = range.split(';').map((part) => part.trim());
      const quality = parameters.find((parameter) => parameter.startsWith('q='));
      const q = quality === undefined ? 1 : Number(quality.slice(2));
      return { language: normalizeLanguage(tag), q: Number.isFinite(q) ? q : 0, position };
    })
    .filter((range) => range.language !== undefined && range.q > 0)
    .sort((a, b) => b.q - a.q || a.position - b.position);
  return ranges[0]?.language;
}

export function responseLanguage(
  input: { query_lang?: string | undefined; accept_language?: string | undefined },
  fallback: Language,
): Language {
  return normalizeLanguage(input.query_lang) ?? languageFromAcceptLanguage(input.accept_language) ?? fallback;
}
