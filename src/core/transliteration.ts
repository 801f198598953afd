import { translate, WIKIPEDIA } from 'iuliia';

/**
 * Russian Cyrillic in Latin letters, for a traveller who cannot read a Russian street sign: the
 * store finder shows a store's address as the sign reads it and, beside it, this.
 *
 * The rules come from `iuliia` (a maintained, tested, dependency-free library with every Russian
 * romanisation: ICAO Doc 9303, GOST R 52535.1, BGN/PCGN, Yandex Maps …), because the good ones
 * depend on context that a letter table gets wrong: "е" at the start of a word or after a hard sign
 * is "ye", "-ий"/"-ый" at a word's end is "y", a soft sign before a vowel is "y".
 *
 * Which romanisation: the Wikipedia scheme (BGN/PCGN made plain, without apostrophes). It is what
 * English-language maps, guides and Moscow's own bilingual signs print ("Tverskaya ulitsa",
 * "Sheremetyevo"), so the traveller can match it on the spot. The passport scheme (ICAO Doc 9303,
 * GOST R 52535.1) writes "Tverskaia", "Sheremetevo": right for a name in a passport, unlike what a
 * street sign or a taxi app says.
 */
export function transliterateRussian(text: string): string {
  return translate(text, WIKIPEDIA);
}

/** True if the text has Cyrillic letters (else transliterating it would show the same words twice). */
export function hasCyrillic(text: string): boolean {
  return /\p{Script=Cyrillic}/u.test(text);
}
