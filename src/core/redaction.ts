import { ICCID_LENGTH_MAX, ICCID_LENGTH_MIN } from './iccid.js';
import { findPhoneNumbers } from './phone.js';

/**
 * What must not leave the process in a log line, and how to take it out while keeping what an
 * operator searches by (order, payment and request ids, receipt numbers, timestamps, amounts).
 *
 * Two means, in this order of trust:
 * 1. By name. A value under a known field name (msisdn, iccid, token, email …) or query parameter
 *    (…?msisdn=, ?t=, ?code=) is replaced whole, whatever it looks like: `[redacted]`.
 * 2. By parsing free text (messages, error texts echoing input, unknown fields). Phone numbers are
 *    found by the phone parser's own matcher, in every notation it accepts; ICCIDs by their E.118
 *    shape; one-time codes only next to a word that names them. Our own identifiers are recognised
 *    first and never touched, so masking cannot mangle what operators search by.
 *
 * Pure functions, no logger here: channels/http/logging.ts applies them to every log record.
 * Written by hand because pino's `redact` (fast-redact) matches fixed paths only, and a phone
 * number nests at any depth (err.params.value, customer.contacts[0]) and hides in free text.
 */

export const REDACTED = '[redacted]';
export const PHONE_MASK = '[phone]';
export const ICCID_MASK = '[iccid]';
export const CODE_MASK = '[code]';
export const TOKEN_MASK = '[token]';

/**
 * Field names whose values are personal data or secrets, compared without case and without
 * "-", "_", "." or spaces ("set-cookie" = "setCookie" = "set_cookie"). A name also counts when it
 * ends with one of these ("to_msisdn", "payer_phone", "csrf_token", "payer_email",
 * "passport_number"), so a new field is covered by the habit of naming it after what it holds.
 */
const REDACTED_NAME_ENDINGS: Readonly<Record<string, readonly string[]>> = {
  phone: ['msisdn', 'phone', 'phonenumber'],
  sim: ['iccid', 'imsi', 'imei', 'activationcode', 'puk'],
  secret: ['token', 'authorization', 'cookie', 'csrf', 'password', 'passphrase', 'secret', 'apikey', 'signature', 'otp', 'onetimecode', 'signincode', 'verificationcode', 'smscode'],
  email: ['email'],
  // Identity documents of foreign visitors (not stored yet): the names they will have.
  document: ['documentnumber', 'documentseries', 'passport', 'passportnumber', 'birthdate', 'dateofbirth'],
  person: ['fullname', 'firstname', 'lastname', 'middlename', 'patronymic', 'payername', 'cardholder', 'cardholdername'],
  card: ['cardnumber', 'cvc', 'cvv', 'cvc2'],
};
/** Too short to be matched as endings ("timespan", "spin", "at") but sensitive as whole names; `t` is the receipt token (?t=). */
const REDACTED_NAMES = new Set(['pan', 'pin', 't']);
/**
 * In an address a `code` is always a secret (a one-time or OAuth code), whatever it looks like; an
 * `account` is the phone number a payment agent pays (OSMP `?account=9001234567`), in notations
 * the phone matcher need not recognise (a till's slip, a number cut short); a position (the store
 * finder's ?lat=&lon=) says where a person is.
 */
const REDACTED_QUERY_NAMES = new Set(['code', 'account', 'lat', 'lon', 'lng', 'latitude', 'longitude']);
const REDACTED_ENDINGS = Object.values(REDACTED_NAME_ENDINGS).flat();

function normalName(name: string): string {
  return name.toLowerCase().replace(/[-_.\s]/g, '');
}

/** True for a field name whose value is replaced whole. `code` is not one: see redactedField. */
export function isRedactedName(name: string): boolean {
  const normal = normalName(name);
  return REDACTED_NAMES.has(normal) || REDACTED_ENDINGS.some((ending) => normal.endsWith(ending));
}

/** A flag tells nothing about anyone: `has_email: false`, `?cookie=1` are kept under any name. */
function isFlag(value: unknown): boolean {
  return value === null || value === undefined || typeof value === 'boolean' || (typeof value === 'string' && /^(?:|0|1|true|false)$/i.test(value));
}

/**
 * The replacement for a field's value when its name alone decides, else undefined (the caller then
 * masks its text). `code` names our error codes ("ROAM_ERR_…"), USSD codes ("#100#") and one-time
 * codes alike: only the all-digit ones (a sign-in code, "004217") are redacted.
 */
export function redactedField(name: string, value: unknown): string | undefined {
  if (isFlag(value)) return undefined;
  if (isRedactedName(name)) return REDACTED;
  if (normalName(name) === 'code' && (typeof value === 'number' || (typeof value === 'string' && /^[\p{Nd}\s]+$/u.test(value)))) return REDACTED;
  return undefined;
}

/* ------------------------------------------------------------------------------------------ */
/* Free text                                                                                   */
/* ------------------------------------------------------------------------------------------ */

/**
 * Fewer digits than this cannot hold a phone number: the shortest valid international numbers
 * in the metadata have 6 digits with their country code (checked in redaction.test.ts).
 */
export const PHONE_DIGITS_MIN = 6;
/**
 * A stretch of digits and phone punctuation longer than this is not one or two numbers side by
 * side (E.164 allows 15 digits): it is masked whole rather than searched.
 */
export const PHONE_STRETCH_DIGITS_MAX = 24;
/**
 * How many stretches one log record may send through the phone matcher. The matcher is exact but
 * costly on digit-dense text (up to a millisecond for a stretch like "8 9 0 8 9 0 …"), and a
 * request address is the caller's to write: past this budget, stretches are masked whole (fail
 * closed) instead. Real records have a handful.
 */
export const PHONE_STRETCHES_MATCHED_MAX = 8;
/** One-time codes are 6 digits today (CODE_DIGITS); codes of other services run from 4 to 8. */
const CODE_DIGITS_MIN = 4;
const CODE_DIGITS_MAX = 8;
/** How far (in characters) a word like "code" may be from the digits it names. */
const CODE_LABEL_DISTANCE_MAX = 40;

/** The phone matcher's work left for one record (one log record, one address): see PHONE_STRETCHES_MATCHED_MAX. */
export interface MatcherBudget {
  stretches_left: number;
}

export function matcherBudget(): MatcherBudget {
  return { stretches_left: PHONE_STRETCHES_MATCHED_MAX };
}

/** Words that name a one-time code, in our four languages, up to the distance above. */
const CODE_LABEL = /(?<![A-Za-z])(?:codes?|otp|pin|puk|passcode)(?![A-Za-z])|код|验证码|驗證碼|校验码|校驗碼/i;

/**
 * What is ours and is left whole. Order, line, payment … ids are a prefix and 32 hex digits
 * (core/ids.ts, services/customers/auth-crypto.ts); request ids are UUIDs; receipt numbers are
 * RC-2026-000123 and bank-transfer references RC- and 10 letters; ISO timestamps; hashes.
 */
const OWN_IDENTIFIERS = [
  /(?<![A-Za-z0-9])[a-z]{2,8}_(?=[0-9a-f]*[a-f])[0-9a-f]{32}(?![A-Za-z0-9])/g,
  /(?<![A-Za-z0-9])[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?![A-Za-z0-9])/gi,
  /(?<![A-Za-z0-9])RC-(?:\d{4}-\d{6,15}|[A-HJ-NP-Z2-9]{10})(?![A-Za-z0-9])/g,
  /(?<!\d)\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?(?!\d)/g,
  /(?<![A-Za-z0-9])(?=[0-9a-f]*[a-f])[0-9a-f]{40,128}(?![A-Za-z0-9])/gi,
];

/** A text that is one of our identifiers and nothing else (a request id binding, an id in a path) is left at once. */
const WHOLE_IDENTIFIER = new RegExp(`^(?:${OWN_IDENTIFIERS.map((pattern) => pattern.source).join('|')})$`, 'i');

/** Secrets recognisable by their shape wherever they appear: they are replaced, not kept. */
const SECRETS_BY_SHAPE: ReadonlyArray<{ readonly pattern: RegExp; readonly mask: (match: RegExpExecArray) => string }> = [
  // Customer session tokens (services/customers/auth-crypto.ts), and any bearer credential.
  { pattern: /(?<![A-Za-z0-9])rcs_[A-Za-z0-9_-]{20,}/g, mask: () => TOKEN_MASK },
  { pattern: /\bBearer\s+[A-Za-z0-9._~+/=-]{8,}/gi, mask: () => `Bearer ${TOKEN_MASK}` },
  // An eSIM activation code downloads the profile: it is a credential (SGP.22 "LPA:1$address$matching id").
  { pattern: /LPA:1\$[^\s$"']+\$[^\s"']+/g, mask: () => `LPA:1$${TOKEN_MASK}` },
  // A password inside a connection string ("postgres://user:secret@host").
  // Lengths bounded so that a long text without the shape costs one pass, not one per start.
  { pattern: /((?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]{0,31}:\/\/[^\s:/@"']{0,256}:)[^\s@/"']{1,256}@/g, mask: (match) => `${match[1] ?? ''}${REDACTED}@` },
];

/**
 * Most texts are left at once: a number needs PHONE_DIGITS_MIN digits, a code a word naming it,
 * and a secret one of its shapes' marks.
 */
function mayHoldSomething(text: string): boolean {
  let digits = 0;
  for (const _digit of text.matchAll(/\p{Nd}/gu)) if ((digits += 1) >= PHONE_DIGITS_MIN) return true;
  return SECRET_MARKS.test(text) || (digits >= CODE_DIGITS_MIN && CODE_LABEL.test(text));
}
const SECRET_MARKS = /rcs_|bearer|lpa:|:\/\//i;

/**
 * Digits with the punctuation the phone parser reads between them (libphonenumber's
 * VALID_PUNCTUATION: spaces, dashes of all kinds, brackets, dots, slashes), after an optional
 * "+": each such stretch may hold numbers. Letters end a stretch, so "msisdn79001234567" yields
 * "79001234567" — the matcher alone would skip digits glued to letters.
 */
const PHONE_STRETCH = /\+?[([\uff08\uff3b]?\d(?:[\d\s\-\u2010-\u2015\u2212\u30fc\uff0d-\uff0f\u00ad\u200b\u2060().[\]/~\u2053\u223c\uff5e\uff08\uff09\uff3b\uff3d]*\d)?/g;
/** What claimed characters become before the later patterns run: neither a digit, a letter nor phone punctuation. */
const CLAIMED = '#';

interface Span {
  readonly start: number;
  readonly end: number;
  /** undefined: our own identifier, kept as it is. */
  readonly replacement: string | undefined;
}

/**
 * Free text with phone numbers, ICCIDs, labelled one-time codes and secret-shaped strings
 * replaced, and our own identifiers left whole. Pass one budget for all the texts of a record.
 */
export function maskPersonalDataInText(text: string, budget: MatcherBudget = matcherBudget()): string {
  if (!mayHoldSomething(text) || WHOLE_IDENTIFIER.test(text)) return text;
  const normal = asciiDigits(text);
  const spans = new SpanSet(normal.length);
  for (const { pattern, mask } of SECRETS_BY_SHAPE) spans.addAll(normal, pattern, mask);
  for (const pattern of OWN_IDENTIFIERS) spans.addAll(normal, pattern, () => undefined);
  addIccids(spans.open(normal), spans);
  addPhoneNumbers(spans.open(normal), spans, budget);
  addLabelledCodes(spans.open(normal), spans);
  return spans.applyTo(text);
}

/** E.118: 19–20 digits from "89", also written in groups ("8970 1990 0000 0000 007"). */
function addIccids(open: string, spans: SpanSet): void {
  const pattern = /(?<!\d)89(?:[ -]?\d){17,18}(?!\d)/g;
  for (const match of open.matchAll(pattern)) {
    const digits = countDigits(match[0]);
    if (digits >= ICCID_LENGTH_MIN && digits <= ICCID_LENGTH_MAX) {
      spans.add({ start: match.index, end: match.index + match[0].length, replacement: ICCID_MASK });
    }
  }
}

/**
 * Each stretch that could hold a number goes to the phone parser's own matcher, alone (so letters
 * around it do not hide it), and what the matcher finds is masked: so a receipt number, an amount
 * or a timestamp is kept unless the parser itself would take it for a number of the plan.
 */
function addPhoneNumbers(open: string, spans: SpanSet, budget: MatcherBudget): void {
  for (const stretch of open.matchAll(PHONE_STRETCH)) {
    const digits = countDigits(stretch[0]);
    if (digits < PHONE_DIGITS_MIN) continue;
    if (digits > PHONE_STRETCH_DIGITS_MAX || budget.stretches_left <= 0) {
      spans.add({ start: stretch.index, end: stretch.index + stretch[0].length, replacement: PHONE_MASK });
      continue;
    }
    budget.stretches_left -= 1;
    for (const phone of findPhoneNumbers(stretch[0])) {
      spans.add({ start: stretch.index + phone.start, end: stretch.index + phone.end, replacement: PHONE_MASK });
    }
  }
}

/** A 4–8 digit run is a code only next to a word that says so: alone it is an amount, a port, a count. */
function addLabelledCodes(open: string, spans: SpanSet): void {
  if (!CODE_LABEL.test(open)) return;
  const pattern = new RegExp(`(?<!\\d)\\d{${CODE_DIGITS_MIN},${CODE_DIGITS_MAX}}(?!\\d)`, 'g');
  for (const match of open.matchAll(pattern)) {
    const before = open.slice(Math.max(0, match.index - CODE_LABEL_DISTANCE_MAX), match.index);
    const after = open.slice(match.index + match[0].length, match.index + match[0].length + CODE_LABEL_DISTANCE_MAX);
    if (CODE_LABEL.test(before) || CODE_LABEL.test(after)) {
      spans.add({ start: match.index, end: match.index + match[0].length, replacement: CODE_MASK });
    }
  }
}

/**
 * Digits of other scripts as ASCII, and the full-width plus as "+", so one set of patterns reads
 * "＋７９００１２３４５６７" too. Each of these is one UTF-16 unit, so offsets stay those of the text.
 */
const DIGIT_ZEROS = [0xff10, 0x0660, 0x06f0, 0x0966, 0x09e6, 0x0e50];
function asciiDigits(text: string): string {
  if (!/[^\p{ASCII}]/u.test(text)) return text;
  let normal = '';
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    const zero = DIGIT_ZEROS.find((first) => code >= first && code <= first + 9);
    normal += zero === undefined ? (code === 0xff0b ? '+' : char) : String(code - zero);
  }
  return normal;
}

function countDigits(text: string): number {
  let count = 0;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code >= 48 && code <= 57) count += 1;
  }
  return count;
}

/** Non-overlapping spans; the first one to claim characters keeps them. */
class SpanSet {
  readonly #spans: Span[] = [];

  /** Characters already claimed, one flag each: checking a new span costs its length, not the number of spans. */
  readonly #claimed: Uint8Array;

  constructor(length: number) {
    this.#claimed = new Uint8Array(length);
  }

  add(span: Span): void {
    if (this.#claimed.subarray(span.start, span.end).includes(1)) return;
    this.#claimed.fill(1, span.start, span.end);
    this.#spans.push(span);
  }

  addAll(normal: string, pattern: RegExp, replacement: (match: RegExpExecArray) => string | undefined): void {
    for (const match of normal.matchAll(pattern)) {
      this.add({ start: match.index, end: match.index + match[0].length, replacement: replacement(match) });
    }
  }

  /** The text with every claimed character replaced, so later patterns see only what is left. */
  open(normal: string): string {
    if (this.#spans.length === 0) return normal;
    let open = '';
    let from = 0;
    for (const span of this.#sorted()) {
      open += normal.slice(from, span.start) + CLAIMED.repeat(span.end - span.start);
      from = span.end;
    }
    return open + normal.slice(from);
  }

  #sorted(): Span[] {
    return [...this.#spans].sort((a, b) => a.start - b.start);
  }

  applyTo(text: string): string {
    let result = '';
    let from = 0;
    for (const span of this.#sorted()) {
      if (span.replacement === undefined) continue;
      result += text.slice(from, span.start) + span.replacement;
      from = span.end;
    }
    return result + text.slice(from);
  }
}

/* ------------------------------------------------------------------------------------------ */
/* Addresses                                                                                   */
/* ------------------------------------------------------------------------------------------ */

/** A `next=/renew/packs?msisdn=…` inside an address is an address too, this many levels deep. */
const URL_NESTING_MAX = 2;

/**
 * A request address for the log: query parameters with a redacted name lose their value
 * (`/renew/packs?msisdn=[redacted]`, `/receipts/RC-2026-000123?t=[redacted]`); every other path
 * segment and value is percent-decoded (so "%2B7900…" is read) and masked as free text. Parts
 * with nothing to mask are kept exactly as sent.
 */
export function redactUrl(url: string, budget: MatcherBudget = matcherBudget(), depth = 0): string {
  const query_at = url.indexOf('?');
  const path = query_at === -1 ? url : url.slice(0, query_at);
  const redacted_path = path.split('/').map((segment) => maskUrlPart(segment, decodePathPart, budget)).join('/');
  if (query_at === -1) return redacted_path;
  const pairs = url.slice(query_at + 1).split('&').map((pair) => redactQueryPair(pair, budget, depth));
  return `${redacted_path}?${pairs.join('&')}`;
}

function redactQueryPair(pair: string, budget: MatcherBudget, depth: number): string {
  const equals = pair.indexOf('=');
  if (equals === -1) return maskUrlPart(pair, decodeQueryPart, budget);
  const raw_name = pair.slice(0, equals);
  const raw_value = pair.slice(equals + 1);
  const name = decodeQueryPart(raw_name);
  const shown_name = maskUrlPart(raw_name, decodeQueryPart, budget);
  const value = decodeQueryPart(raw_value);
  if ((isRedactedName(name) || REDACTED_QUERY_NAMES.has(normalName(name))) && !isFlag(value)) return `${shown_name}=${REDACTED}`;
  const redacted = depth < URL_NESTING_MAX && value.startsWith('/') ? redactUrl(value, budget, depth + 1) : maskPersonalDataInText(value, budget);
  return `${shown_name}=${redacted === value ? raw_value : redacted}`;
}

function maskUrlPart(raw: string, decode: (raw: string) => string, budget: MatcherBudget): string {
  const decoded = decode(raw);
  const masked = maskPersonalDataInText(decoded, budget);
  return masked === decoded ? raw : masked;
}

/** Malformed escapes are read as they are: a broken "%E0%A4%A" hides nothing. */
function decodePathPart(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/** In a query "+" is a space (HTML forms): "8+900+123+45+67" is a number. */
function decodeQueryPart(raw: string): string {
  return decodePathPart(raw.replaceAll('+', ' '));
}
