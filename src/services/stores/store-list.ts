import { RoamError } from '../../core/errors.js';
import type { Executor } from '../../db/transaction.js';
import { STORES_READ_MAX, type StoreKind } from './store-finder.js';

/**
 * The stores as the operator checks them after an import (`roamcard stores list`): one query, the
 * fields a file sets, and the partner by its code. The traveller's view is store-finder.ts.
 */

export interface ListedStore {
  readonly code: string;
  readonly kind: StoreKind;
  /** The payment agent's code; null for a service hall. */
  readonly partner_code: string | null;
  readonly chain: string | null;
  readonly city: string;
  readonly name: string;
  /** The store's own setting, as imported. */
  readonly renews: boolean;
  /** False when its payment agent is switched off: the finder then shows it as not renewing. */
  readonly partner_enabled: boolean;
  readonly opening_hours: string;
}

export interface StoreListFilter {
  /** Only this partner's stores; an unknown code is refused (ROAM_ERR_PARTNER_NOT_FOUND), not answered with none. */
  readonly partner_code?: string | undefined;
  /** Only this city's stores (the name as stored). */
  readonly city?: string | undefined;
}

/** At most STORES_READ_MAX stores, in the finder's order: by city, service halls first, then by name. */
export async function listStores(executor: Executor, filter: StoreListFilter = {}): Promise<ListedStore[]> {
  let select = executor
    .selectFrom('stores')
    .leftJoin('partners', 'partners.id', 'stores.partner_id')
    .select([
      'stores.code', 'stores.kind', 'stores.chain', 'stores.city', 'stores.name', 'stores.renews', 'stores.opening_hours',
      'partners.code as partner_code', 'partners.enabled as partner_enabled',
    ]);
  if (filter.partner_code !== undefined) {
    const partner = await executor.selectFrom('partners').select('id').where('code', '=', filter.partner_code).executeTakeFirst();
    if (!partner) throw new RoamError('ROAM_ERR_PARTNER_NOT_FOUND', { code: filter.partner_code });
    select = select.where('stores.partner_id', '=', partner.id);
  }
  if (filter.city !== undefined) select = select.where('stores.city', '=', filter.city);
  const rows = await select.orderBy('stores.city').orderBy('stores.kind', 'desc').orderBy('stores.name').orderBy('stores.code')
    .limit(STORES_READ_MAX).execute();
  return rows.map((row) => ({
    code: row.code, kind: row.kind, partner_code: row.partner_code, chain: row.chain, city: row.city, name: row.name,
    renews: Number(row.renews) === 1, partner_enabled: row.partner_code === null || Number(row.partner_enabled) === 1,
    opening_hours: row.opening_hours,
  }));
}
