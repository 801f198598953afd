import { countryAlpha2 } from './countries.js';

/**
 * A foreign visitor's identity document as the desk records it (303-FZ): the type, the issuing
 * country, the number, the names in Latin letters as printed in the document, the date of birth.
 * Pure checks and the normal form; encryption and the keyed hash are in services/identity/.
 *
 * The normal form decides what "the same document" is for the per-person limit: the number in
 * upper case without spaces or dashes, the country as alpha-2, the type. "e 1234-5678", CHN and
 * "E12345678", CN are one passport.
 */

export const DOCUMENT_TYPES = ['passport', 'residence_permit', 'travel_document'] as const;
export type DocumentType = (typeof DOCUMENT_TYPES)[number];

export const DOCUMENT_NUMBER_LENGTH_MIN = 5;
export const DOCUMENT_NUMBER_LENGTH_MAX = 20;
export const DOCUMENT_NAME_LENGTH_MAX = 100;
/** The oldest birth date taken: older is a typo in the year. */
export const BIRTH_YEAR_MIN = 1900;

export interface DocumentInput {
  readonly type: string;
  readonly issuing_country: string;
  readonly number: string;
  readonly surname: string;
  readonly given_names: string;
  /** YYYY-MM-DD. */
  readonly birth_date: string;
}

export interface IdentityDocument {
  readonly type: DocumentType;
  /** ISO 3166-1 alpha-2. */
  readonly issuing_country: string;
  /** Upper case, letters and digits only. */
  readonly number: string;
  readonly surname: string;
  /** Empty when the document has none. */
  readonly given_names: string;
  readonly birth_date: string;
}

export type DocumentField = 'document_type' | 'issuing_country' | 'document_number' | 'surname' | 'given_names' | 'birth_date';
export type DocumentProblem = 'empty' | 'unknown' | 'format' | 'length' | 'not_latin' | 'not_a_date' | 'in_future' | 'too_old';
export type DocumentResult =
  | { readonly ok: true; readonly document: IdentityDocument }
  | { readonly ok: false; readonly field: DocumentField; readonly problem: DocumentProblem };

/** Letters A–Z with the spaces, hyphens and apostrophes of names; accents are not in the MRZ form. */
const LATIN_NAME = /^[A-Z]+(?:[ '-][A-Z]+)*$/;

export function parseDocument(input: DocumentInput, today: string): DocumentResult {
  const type = input.type.trim().toLowerCase();
  if (type === '') return problem('document_type', 'empty');
  if (!(DOCUMENT_TYPES as readonly string[]).includes(type)) return problem('document_type', 'unknown');
  if (input.issuing_country.trim() === '') return problem('issuing_country', 'empty');
  const issuing_country = countryAlpha2(input.issuing_country);
  if (issuing_country === null) return problem('issuing_country', 'unknown');
  const number = normalizedDocumentNumber(input.number);
  if (number === '') return problem('document_number', 'empty');
  if (!/^[A-Z0-9]+$/.test(number)) return problem('document_number', 'format');
  if (number.length < DOCUMENT_NUMBER_LENGTH_MIN || number.length > DOCUMENT_NUMBER_LENGTH_MAX) return problem('document_number', 'length');
  const surname = latinName(input.surname);
  if (surname === '') return problem('surname', 'empty');
  if (surname.length > DOCUMENT_NAME_LENGTH_MAX) return problem('surname', 'length');
  if (!LATIN_NAME.test(surname)) return problem('surname', 'not_latin');
  const given_names = latinName(input.given_names);
  if (given_names.length > DOCUMENT_NAME_LENGTH_MAX) return problem('given_names', 'length');
  if (given_names !== '' && !LATIN_NAME.test(given_names)) return problem('given_names', 'not_latin');
  const birth = birthDateProblem(input.birth_date.trim(), today);
  if (birth !== null) return problem('birth_date', birth);
  const birth_date = input.birth_date.trim();
  return { ok: true, document: { type: type as DocumentType, issuing_country, number, surname, given_names, birth_date } };
}

/** The number as compared and hashed: upper case, without the spaces and dashes people type. */
export function normalizedDocumentNumber(number: string): string {
  return number.replace(/[\s-]/g, '').toUpperCase();
}

/** Shown wherever a document is shown: the last 4 characters only. */
export function documentLast4(number: string): string {
  return normalizedDocumentNumber(number).slice(-4);
}

export function maskedDocumentNumber(last4: string): string {
  return `••••${last4}`;
}

/** What the keyed hash is taken over: one string per document, whatever the spelling it was typed in. */
export function documentLookupText(document: Pick<IdentityDocument, 'type' | 'issuing_country' | 'number'>): string {
  return `${document.type}|${document.issuing_country}|${document.number}`;
}

function latinName(name: string): string {
  return name.trim().replace(/\s+/g, ' ').toUpperCase();
}

function birthDateProblem(text: string, today: string): DocumentProblem | null {
  if (text === '') return 'empty';
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return 'not_a_date';
  const date = new Date(`${text}T00:00:00Z`);
  if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== text) return 'not_a_date';
  if (text > today) return 'in_future';
  if (Number(match[1]) < BIRTH_YEAR_MIN) return 'too_old';
  return null;
}

function problem(field: DocumentField, problem_: DocumentProblem): DocumentResult {
  return { ok: false, field, problem: problem_ };
}
