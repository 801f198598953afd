import {
  packageDefinitionProblems,
  type LocalizedNames,
  type PackageDefinition,
  type PackageKind,
  type SalesChannel,
} from '../../core/catalog.js';
import { RoamError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { Language } from '../../core/i18n/languages.js';
import { LEDGER_CURRENCY } from '../../core/money.js';
import type { PackagesTable } from '../../db/schema.js';
import type { Executor } from '../../db/transaction.js';

/**
 * The catalog: packs and their versioned prices. A price is never edited; a new price is a new
 * version with the moment it takes effect, and a sale records the version it was made at.
 */

export interface CatalogPackage extends PackageDefinition {
  readonly sort_order: number;
}

export interface PriceVersion {
  readonly id: string;
  readonly amount_minor: number;
  readonly currency: string;
  readonly effective_from_ms: number;
}

export interface PricedPackage extends CatalogPackage {
  readonly price: PriceVersion;
}

export function toCatalogPackage(row: PackagesTable): CatalogPackage {
  return {
    code: row.code,
    kind: row.kind,
    data_mb: row.data_mb,
    voice_minutes: row.voice_minutes,
    sms_count: row.sms_count,
    validity_hours: row.validity_hours,
    names: { 'zh-Hans': row.name_zh_hans, 'zh-Hant': row.name_zh_hant, ru: row.name_ru, en: row.name_en },
    channels: JSON.parse(row.channels) as SalesChannel[],
    active: row.active === 1,
    sort_order: row.sort_order,
  };
}

export function packageName(names: LocalizedNames, language: Language): string {
  return names[language];
}

/** Creates or replaces a pack's definition (not its price). */
export async function upsertPackage(trx: Executor, definition: PackageDefinition & { sort_order?: number }, now_ms: number): Promise<void> {
  const problems = packageDefinitionProblems(definition);
  if (problems.length > 0) throw new RoamError('ROAM_ERR_PACKAGE_INVALID', { field: problems.join(', '), code: definition.code });
  const columns = {
    kind: definition.kind satisfies PackageKind,
    data_mb: definition.data_mb,
    voice_minutes: definition.voice_minutes,
    sms_count: definition.sms_count,
    validity_hours: definition.validity_hours,
    name_zh_hans: definition.names['zh-Hans'],
    name_zh_hant: definition.names['zh-Hant'],
    name_ru: definition.names.ru,
    name_en: definition.names.en,
    channels: JSON.stringify(definition.channels),
    active: definition.active ? 1 : 0,
    sort_order: definition.sort_order ?? 0,
    updated_at_ms: now_ms,
  };
  await trx
    .insertInto('packages')
    .values({ code: definition.code, created_at_ms: now_ms, ...columns })
    .onConflict((conflict) => conflict.column('code').doUpdateSet(columns))
    .execute();
}

/** Adds a price version; it applies to sales made at or after `effective_from_ms`. */
export async function setPrice(
  trx: Executor,
  package_code: string,
  amount_minor: number,
  effective_from_ms: number,
  now_ms: number,
): Promise<PriceVersion> {
  if (!Number.isSafeInteger(amount_minor) || amount_minor < 0) throw new RoamError('ROAM_ERR_AMOUNT_INVALID', { field: 'amount_minor', reason: 'negative' });
  await findPackage(trx, package_code);
  const price: PriceVersion = { id: newId('price'), amount_minor, currency: LEDGER_CURRENCY, effective_from_ms };
  await trx.insertInto('package_prices').values({ ...price, package_code, created_at_ms: now_ms }).execute();
  return price;
}

export async function findPackage(trx: Executor, code: string): Promise<CatalogPackage> {
  const row = await trx.selectFrom('packages').selectAll().where('code', '=', code).executeTakeFirst();
  if (!row) throw new RoamError('ROAM_ERR_PACKAGE_NOT_FOUND', { code });
  return toCatalogPackage(row);
}

export async function currentPrice(trx: Executor, package_code: string, at_ms: number): Promise<PriceVersion | undefined> {
  return trx
    .selectFrom('package_prices')
    .select(['id', 'amount_minor', 'currency', 'effective_from_ms'])
    .where('package_code', '=', package_code)
    .where('effective_from_ms', '<=', at_ms)
    .orderBy('effective_from_ms', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** A pack that may be sold now on `channel`, with its price at `at_ms`; otherwise a clear error. */
export async function packageForSale(trx: Executor, code: string, channel: SalesChannel, at_ms: number): Promise<PricedPackage> {
  const pack = await findPackage(trx, code);
  if (!pack.active) throw new RoamError('ROAM_ERR_PACKAGE_INACTIVE', { code });
  if (!pack.channels.includes(channel)) throw new RoamError('ROAM_ERR_PACKAGE_NOT_ON_CHANNEL', { code, channel });
  const price = await currentPrice(trx, code, at_ms);
  if (!price) throw new RoamError('ROAM_ERR_PRICE_NOT_SET', { code });
  return { ...pack, price };
}

/** Packs on sale, each with its current price; optionally only those sold on one channel. */
export async function listPackages(
  trx: Executor,
  at_ms: number,
  filter: { channel?: SalesChannel; include_inactive?: boolean } = {},
): Promise<PricedPackage[]> {
  let query = trx.selectFrom('packages').selectAll().orderBy('sort_order').orderBy('code');
  if (!filter.include_inactive) query = query.where('active', '=', 1);
  const rows = await query.execute();
  const prices = await currentPrices(trx, at_ms);
  const priced: PricedPackage[] = [];
  for (const row of rows) {
    const pack = toCatalogPackage(row);
    if (filter.channel && !pack.channels.includes(filter.channel)) continue;
    const price = prices.get(pack.code);
    if (price) priced.push({ ...pack, price });
  }
  return priced;
}

/**
 * Every pack's price at `at_ms`, in one query (the catalog pages, USSD menus and each partner pay
 * read them all): for each pack, its version with the latest start not after `at_ms` — found by
 * the (package_code, effective_from_ms) unique index.
 */
async function currentPrices(trx: Executor, at_ms: number): Promise<Map<string, PriceVersion>> {
  const rows = await trx.selectFrom('package_prices as price')
    .select(['price.id', 'price.package_code', 'price.amount_minor', 'price.currency', 'price.effective_from_ms'])
    .where('price.effective_from_ms', '=', (eb) => eb.selectFrom('package_prices as later')
      .select((inner) => inner.fn.max('later.effective_from_ms').as('latest'))
      .whereRef('later.package_code', '=', 'price.package_code')
      .where('later.effective_from_ms', '<=', at_ms))
    .execute();
  return new Map(rows.map(({ package_code, ...price }) => [package_code, {
    ...price, amount_minor: Number(price.amount_minor), effective_from_ms: Number(price.effective_from_ms),
  }]));
}
