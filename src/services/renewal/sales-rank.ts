import type { SalesChannel } from '../../core/catalog.js';
import type { Executor } from '../../db/transaction.js';
import { listPackages, type PricedPackage } from '../catalog/catalog.js';

/**
 * Packs for sale on a channel, the best-selling first: active orders per package over the whole
 * UTC days of the window before today, then the catalog's sort_order. Whole days keep the ranking
 * still for a day, so a USSD session (which recomputes its screens on every request) never sees
 * its numbering move between two answers. The query reads index orders_sales_rank only.
 */

export const SALES_RANK_WINDOW_DAYS = 30;
const MS_PER_DAY = 86_400_000;

export async function packagesBySales(trx: Executor, channel: SalesChannel, now_ms: number): Promise<PricedPackage[]> {
  const until_ms = Math.floor(now_ms / MS_PER_DAY) * MS_PER_DAY;
  const since_ms = until_ms - SALES_RANK_WINDOW_DAYS * MS_PER_DAY;
  const packs = await listPackages(trx, now_ms, { channel });
  const counts = await trx.selectFrom('orders').select(['package_code', (eb) => eb.fn.countAll<number | string>().as('sold')])
    .where('state', '=', 'active').where('created_at_ms', '>=', since_ms).where('created_at_ms', '<', until_ms)
    .groupBy('package_code').execute();
  const sold = new Map(counts.map((row) => [row.package_code, Number(row.sold)]));
  // listPackages is ordered by sort_order then code; a stable sort keeps that order among equals.
  return [...packs].sort((a, b) => (sold.get(b.code) ?? 0) - (sold.get(a.code) ?? 0));
}
