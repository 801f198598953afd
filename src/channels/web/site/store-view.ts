import type { GeoPoint } from '../../../core/geo.js';
import type { Language } from '../../../core/i18n/languages.js';
import { messagesFor } from '../../../core/i18n/messages.js';
import { localWeekTime, type LocalWeekTime } from '../../../core/opening-hours.js';
import type { SiteText } from './text/site-text.js';

/**
 * How the store finder shows a store's facts: its city's name, a distance, the links that open it
 * on a map. Pure: store-pages.ts puts them on the page.
 */

/** The zone travellers' times are compared with: a store elsewhere says its own local time. */
export const REFERENCE_TIME_ZONE = 'Europe/Moscow';
/** Below this a distance is in metres, rounded to tens; above it in kilometres. */
const METRES_SHOWN_MAX = 1_000;
/** Below this, kilometres with one decimal ("1.2 km"); above it whole kilometres ("634 km"). */
const KM_WITH_DECIMAL_MAX = 10;
/** Five decimals of a degree are about a metre: enough to find the door, no false precision. */
const COORDINATE_DECIMALS = 5;
/** The zoom of a single street on both map sites. */
const MAP_ZOOM = 17;

export function cityName(text: SiteText, city: string): string {
  return text.city_names[city] ?? city;
}

/** The cities as the reader sorts them: by their names in the page's language. */
export function sortCities(cities: readonly string[], text: SiteText, language: Language): string[] {
  const collator = new Intl.Collator(messagesFor(language).locale);
  return [...cities].sort((a, b) => collator.compare(cityName(text, a), cityName(text, b)));
}

const distanceFormats = new Map<string, Intl.NumberFormat>();

/** "350 m", "1.2 km", "634 km"; "1,2 км" in Russian, "1.2 公里" in Chinese. */
export function formatDistance(distance_m: number, language: Language, text: SiteText): string {
  const locale = messagesFor(language).locale;
  const format = (value: number, fraction_digits: number) => {
    const key = `${locale}/${fraction_digits}`;
    let number_format = distanceFormats.get(key);
    if (!number_format) {
      number_format = new Intl.NumberFormat(locale, { maximumFractionDigits: fraction_digits, minimumFractionDigits: fraction_digits });
      distanceFormats.set(key, number_format);
    }
    // Intl's grouping space is a no-break one, which some readers of ours mangle; the line stays unbroken by CSS.
    return number_format.format(value).replace(/[\u00a0\u202f]/g, ' ');
  };
  if (distance_m < METRES_SHOWN_MAX) return `${format(Math.max(10, Math.round(distance_m / 10) * 10), 0)} ${text.distance_units.m}`;
  const km = distance_m / 1_000;
  return `${format(km, km < KM_WITH_DECIMAL_MAX ? 1 : 0)} ${text.distance_units.km}`;
}

function coordinate(value: number): string {
  return String(Number(value.toFixed(COORDINATE_DECIMALS)));
}

export interface MapLinks {
  /** RFC 5870, with the label Android's map apps read from `q`: opens the phone's own map app. */
  readonly geo: string;
  readonly yandex: string;
  readonly openstreetmap: string;
}

export function mapLinks(location: GeoPoint, name: string): MapLinks {
  const lat = coordinate(location.latitude);
  const lon = coordinate(location.longitude);
  return {
    geo: `geo:${lat},${lon}?q=${lat},${lon}(${encodeURIComponent(name)})`,
    // Yandex takes longitude first.
    yandex: `https://yandex.ru/maps/?pt=${lon},${lat}&z=${MAP_ZOOM}&l=map`,
    openstreetmap: `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lon}#map=${MAP_ZOOM}/${lat}/${lon}`,
  };
}

/** The store's local time when its clock shows another time than Moscow's; undefined when the same. */
export function otherLocalTime(at_ms: number, time_zone: string): LocalWeekTime | undefined {
  const there = localWeekTime(at_ms, time_zone);
  const moscow = localWeekTime(at_ms, REFERENCE_TIME_ZONE);
  if (!there || !moscow) return undefined;
  return there.minute === moscow.minute && there.weekday === moscow.weekday ? undefined : there;
}
