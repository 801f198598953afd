import { sql } from 'kysely';
import type { Executor } from '../../db/transaction.js';

/**
 * The ledger's invariants, checked against the whole database (tests, soak runs, `roamcard check`):
 * every entry sums to zero, every cached balance equals the sum of its postings, no account that
 * may not go negative is below zero (cached or not), no bundle below zero or above what it was
 * sold with. Returns the violations; empty is good.
 */
export async function ledgerViolations(db: Executor): Promise<string[]> {
  const violations: string[] = [];

  const unbalanced = await db
    .selectFrom('postings')
    .select(['entry_id', sql<number>`sum(amount_minor)`.as('total')])
    .groupBy('entry_id')
    .having(sql`sum(amount_minor)`, '<>', 0)
    .limit(20)
    .execute();
  for (const row of unbalanced) violations.push(`entry ${row.entry_id} sums to ${row.total}`);

  const drifted = await db
    .selectFrom('ledger_accounts as a')
    .leftJoin(
      (eb) => eb.selectFrom('postings').select(['account_id', sql<number>`sum(amount_minor)`.as('total')]).groupBy('account_id').as('p'),
      (join) => join.onRef('p.account_id', '=', 'a.id'),
    )
    .select(['a.id', 'a.balance_minor', sql<number>`coalesce(p.total, 0)`.as('posted')])
    .where('a.balance_cached', '=', 1)
    .where(sql`a.balance_minor`, '<>', sql`coalesce(p.total, 0)`)
    .limit(20)
    .execute();
  for (const row of drifted) violations.push(`account ${row.id} caches ${row.balance_minor} but its postings sum to ${row.posted}`);

  const negativeAccounts = await db
    .selectFrom('ledger_accounts as a')
    .leftJoin(
      (eb) => eb.selectFrom('postings').select(['account_id', sql<number>`sum(amount_minor)`.as('total')]).groupBy('account_id').as('p'),
      (join) => join.onRef('p.account_id', '=', 'a.id'),
    )
    .select(['a.id', sql<number>`coalesce(p.total, 0)`.as('posted')])
    .where('a.may_go_negative', '=', 0)
    .where(sql`coalesce(p.total, 0)`, '<', 0)
    .limit(20)
    .execute();
  for (const row of negativeAccounts) violations.push(`account ${row.id} is below zero: ${row.posted}`);

  const strayCache = await db.selectFrom('ledger_accounts').select('id').where('balance_cached', '=', 0).where('balance_minor', '<>', 0).limit(20).execute();
  for (const row of strayCache) violations.push(`account ${row.id} keeps no cached balance but its cache is not 0`);

  const negativeBundles = await db
    .selectFrom('bundles')
    .select('id')
    .where((eb) => eb.or([eb('data_bytes_remaining', '<', 0), eb('voice_seconds_remaining', '<', 0), eb('sms_remaining', '<', 0)]))
    .limit(20)
    .execute();
  for (const row of negativeBundles) violations.push(`bundle ${row.id} is below zero`);

  const overdrawnBundles = await db
    .selectFrom('bundles')
    .select('id')
    .where((eb) =>
      eb.or([
        eb('data_bytes_remaining', '>', eb.ref('data_bytes_total')),
        eb('voice_seconds_remaining', '>', eb.ref('voice_seconds_total')),
        eb('sms_remaining', '>', eb.ref('sms_total')),
      ]),
    )
    .limit(20)
    .execute();
  for (const row of overdrawnBundles) violations.push(`bundle ${row.id} holds more than it was sold with`);

  return violations;
}
