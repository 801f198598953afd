import type { Executor } from '../../db/transaction.js';

/** Payments not yet final, per provider and status: for /metrics and `roamcard jobs`. */
export async function openPaymentCounts(db: Executor): Promise<Array<{ provider: string; status: string; count: number }>> {
  const rows = await db
    .selectFrom('payments')
    .select(['provider', 'status', (eb) => eb.fn.countAll<number>().as('count')])
    .where('status', 'in', ['pending', 'requires_action'])
    .groupBy(['provider', 'status'])
    .execute();
  return rows.map((row) => ({ provider: row.provider, status: row.status, count: Number(row.count) }));
}
