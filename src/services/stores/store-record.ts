import { RoamError } from '../../core/errors.js';
import { parseGeoPoint } from '../../core/geo.js';
import { parseOpeningHours, type OpeningHoursProblem } from '../../core/opening-hours.js';
import { isTimeZone } from '../../core/time-zone.js';
import { PARTNER_CODE_PATTERN } from '../partners/partner-directory.js';
import type { StoreKind } from './store-finder.js';

/**
 * One store as it enters the `stores` table from an operator's file, every field validated and
 * normalized; the partner is still a code here (whether it exists is the database's to say).
 */
export interface StoreRecord {
  readonly code: string;
  readonly kind: StoreKind;
  /** A partner store's payment agent, by its code; null for a service hall. */
  readonly partner_code: string | null;
  /** As written; null when not given (a partner store then takes its partner's chain). */
  readonly chain: string | null;
  readonly name: string;
  readonly city: string;
  readonly address: string;
  readonly address_ru: string | null;
  readonly time_zone: string;
  readonly latitude: number;
  readonly longitude: number;
  /** The text as written (trimmed); it reads with core/opening-hours.ts. */
  readonly opening_hours: string;
  readonly renews: 0 | 1;
}

/** The cells of one row, as written. Optional columns may be missing from the file. */
export interface StoreInput {
  readonly code: string;
  readonly kind: string;
  readonly partner?: string | undefined;
  readonly chain?: string | undefined;
  readonly name: string;
  readonly city: string;
  readonly address: string;
  readonly address_ru?: string | undefined;
  readonly time_zone?: string | undefined;
  readonly latitude: string;
  readonly longitude: string;
  readonly opening_hours: string;
  readonly renews?: string | undefined;
}

/** A store's code is written like a partner's: in commands, in ledger account ids (`cash:<code>`), and soon in URLs. */
export const STORE_CODE_PATTERN = PARTNER_CODE_PATTERN;
/** Names, cities and addresses: a sign's worth of text. Longer is a cell pasted into the wrong column. */
export const STORE_TEXT_LENGTH_MAX = 200;
export const STORE_TIME_ZONE_DEFAULT = 'Europe/Moscow';

/**
 * What a traveller's page and the operator's terminal would show as something else than text: line
 * breaks, tabs, zero-width and bidi marks (the finder prints these fields as they are stored).
 */
const INVISIBLE_CHARACTERS = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;
/** The Latin address is for those who cannot read Cyrillic; the Russian one has its own column. */
const CYRILLIC = /\p{Script=Cyrillic}/u;

const YES = new Set(['yes', '1', 'true']);
const NO = new Set(['no', '0', 'false']);

/** Each problem of core/opening-hours.ts as the reason shown beside the row. */
const HOURS_REASONS: Readonly<Record<OpeningHoursProblem, string>> = {
  empty: 'empty', too_long: 'hours_too_long', too_many_rules: 'hours_too_many_rules',
  rule: 'hours_rule', days: 'hours_days', times: 'hours_times',
};

export type StoreValidation =
  | { readonly ok: true; readonly store: StoreRecord }
  /** `value` is what to show beside the reason: the cell, or for opening hours the part not understood. */
  | { readonly ok: false; readonly error: RoamError; readonly value: string };

/** Validates one row; the error names the first bad field and why (never a half-valid record). */
export function validateStore(input: StoreInput): StoreValidation {
  const cell = (value: string | undefined) => value?.trim() ?? '';
  const refuse = (field: string, reason: string, value: string): StoreValidation =>
    ({ ok: false, error: new RoamError('ROAM_ERR_VALIDATION', { field, reason }), value });

  const code = cell(input.code);
  if (!STORE_CODE_PATTERN.test(code)) return refuse('code', code === '' ? 'empty' : 'code_format', code);
  const kind = cell(input.kind).toLowerCase();
  if (kind !== 'service_hall' && kind !== 'partner_store') return refuse('kind', kind === '' ? 'empty' : 'unknown_store_kind', cell(input.kind));
  const partner = cell(input.partner);
  if (kind === 'partner_store' && partner === '') return refuse('partner', 'partner_required', '');
  if (kind === 'service_hall' && partner !== '') return refuse('partner', 'partner_unexpected', partner);

  const texts = {
    chain: cell(input.chain), name: cell(input.name), city: cell(input.city),
    address: cell(input.address), address_ru: cell(input.address_ru),
  };
  for (const field of ['chain', 'name', 'city', 'address', 'address_ru'] as const) {
    const value = texts[field];
    const optional = field === 'chain' || field === 'address_ru';
    if (value === '' && !optional) return refuse(field, 'empty', '');
    if (value.length > STORE_TEXT_LENGTH_MAX) return refuse(field, 'too_large', value);
    if (INVISIBLE_CHARACTERS.test(value)) return refuse(field, 'control_characters', value);
  }
  if (CYRILLIC.test(texts.address)) return refuse('address', 'not_latin', texts.address);

  const time_zone = cell(input.time_zone) || STORE_TIME_ZONE_DEFAULT;
  if (!isTimeZone(time_zone)) return refuse('time_zone', 'unknown_time_zone', time_zone);
  const point = parseGeoPoint(cell(input.latitude), cell(input.longitude));
  if (!point.ok) {
    const value = point.problem === 'latitude' ? cell(input.latitude) : cell(input.longitude);
    return refuse(point.problem, value === '' ? 'empty' : `not_${point.problem}`, value);
  }
  const opening_hours = cell(input.opening_hours);
  const hours = parseOpeningHours(opening_hours);
  // The part not understood, rather than the whole text: in "Mo-Fr 10:00-21:00; Sa 10-18" it is "10-18".
  if (!hours.ok) return refuse('opening_hours', HOURS_REASONS[hours.problem], hours.part === '' ? opening_hours : hours.part);
  const renews_text = cell(input.renews).toLowerCase();
  const renews = renews_text === '' || YES.has(renews_text) ? 1 : NO.has(renews_text) ? 0 : undefined;
  if (renews === undefined) return refuse('renews', 'not_yes_no', cell(input.renews));

  return {
    ok: true,
    store: {
      code, kind, partner_code: kind === 'partner_store' ? partner : null, chain: texts.chain || null,
      name: texts.name, city: texts.city, address: texts.address, address_ru: texts.address_ru || null,
      time_zone, latitude: point.point.latitude, longitude: point.point.longitude, opening_hours, renews,
    },
  };
}
