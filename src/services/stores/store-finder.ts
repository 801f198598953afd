import type { Database } from '../../db/database.js';
import { distanceM, type GeoPoint } from '../../core/geo.js';
import { isOpenAt, parseOpeningHours, type OpeningHours } from '../../core/opening-hours.js';
import type { Clock } from '../../ports/clock.js';

/**
 * Where a traveller can buy or renew the card in person: service halls and partner stores.
 *   cities() → string[]                         the cities that have a store, by name
 *   findStores({ city?, near? }) → FoundStore[]  a city's stores (or all), or the nearest first
 * Read-only, one query each. Each store comes with its hours read (core/opening-hours.ts) and
 * whether it is open at this instant in its own zone, from the injected clock.
 */

export type StoreKind = 'service_hall' | 'partner_store';

export interface FoundStore {
  readonly code: string;
  readonly kind: StoreKind;
  readonly chain: string | null;
  readonly name: string;
  readonly city: string;
  /** In Latin letters, as recorded. */
  readonly address: string;
  /** As a Russian sign reads it (Cyrillic); null where not recorded. */
  readonly address_ru: string | null;
  readonly time_zone: string;
  readonly location: GeoPoint;
  /** The hours as recorded, shown as they are when they cannot be read. */
  readonly opening_hours_text: string;
  /** Read from the text; null when it is outside the syntax we read. */
  readonly opening_hours: OpeningHours | null;
  /** At `at_ms`, in the store's zone; null when the hours or the zone cannot be read. */
  readonly open_now: boolean | null;
  readonly at_ms: number;
  /** Takes renewals: the store says so, and its payment agent (a partner store's) is not switched off. */
  readonly renews: boolean;
  /** From the point asked about; null when none was. */
  readonly distance_m: number | null;
}

export interface StoreQuery {
  /** Only this city's stores (the name as stored). */
  readonly city?: string | undefined;
  /** Nearest first, with the distance; at most `NEAREST_STORES_MAX`. */
  readonly near?: GeoPoint | undefined;
}

export interface StoreFinderOptions {
  readonly database: Database;
  readonly clock: Clock;
}

/**
 * Stores read for one answer at most. Distances are computed here rather than in SQL (SQLite has
 * no trigonometry unless built with it), which is cheap for an operator's stores: hundreds, a few
 * thousand at the very most.
 */
export const STORES_READ_MAX = 5_000;
/** A list by distance stops here: nobody walks to the 21st nearest shop. */
export const NEAREST_STORES_MAX = 20;

export class StoreFinder {
  readonly #database: Database;
  readonly #clock: Clock;

  constructor(options: StoreFinderOptions) {
    this.#database = options.database;
    this.#clock = options.clock;
  }

  async cities(): Promise<string[]> {
    const rows = await this.#database.db.selectFrom('stores').select('city').distinct().orderBy('city').limit(STORES_READ_MAX).execute();
    return rows.map((row) => row.city);
  }

  async findStores(query: StoreQuery = {}): Promise<FoundStore[]> {
    let select = this.#database.db
      .selectFrom('stores')
      .leftJoin('partners', 'partners.id', 'stores.partner_id')
      .select([
        'stores.code', 'stores.kind', 'stores.chain', 'stores.name', 'stores.city', 'stores.address', 'stores.address_ru',
        'stores.time_zone', 'stores.latitude', 'stores.longitude', 'stores.opening_hours', 'stores.renews', 'stores.partner_id',
        'partners.enabled as partner_enabled',
      ]);
    if (query.city !== undefined) select = select.where('stores.city', '=', query.city);
    // Service halls first in a city (they do everything), then by name; `code` makes the order total.
    const rows = await select.orderBy('stores.city').orderBy('stores.kind', 'desc').orderBy('stores.name').orderBy('stores.code')
      .limit(STORES_READ_MAX).execute();
    const at_ms = this.#clock.now_ms();
    const stores = rows.map((row): FoundStore => {
      const location = { latitude: Number(row.latitude), longitude: Number(row.longitude) };
      const hours = parseOpeningHours(row.opening_hours);
      const opening_hours = hours.ok ? hours.hours : null;
      return {
        code: row.code, kind: row.kind, chain: row.chain, name: row.name, city: row.city, address: row.address,
        address_ru: row.address_ru, time_zone: row.time_zone, location,
        opening_hours_text: row.opening_hours, opening_hours,
        open_now: opening_hours ? (isOpenAt(opening_hours, at_ms, row.time_zone) ?? null) : null,
        at_ms,
        renews: row.renews === 1 && (row.partner_id === null || row.partner_enabled === 1),
        distance_m: query.near ? distanceM(query.near, location) : null,
      };
    });
    if (!query.near) return stores;
    return stores.sort((a, b) => (a.distance_m ?? 0) - (b.distance_m ?? 0)).slice(0, NEAREST_STORES_MAX);
  }
}
