import { sql } from 'kysely';
import type { Executor } from '../db/transaction.js';
import { SYSTEM_ACCOUNTS } from '../services/ledger/accounts.js';
import { ledgerViolations } from '../services/ledger/invariants.js';

/**
 * The charging invariants tests check after every scenario, on top of the ledger's own checker:
 * - every bundle's used units (total − remaining, per kind) equal the draws recorded on the usage
 *   events that name it, and each draw names a bundle of the event's own line;
 * - every usage event accounts for its quantity, and its wallet charge is one usage_charge entry
 *   (wallet −charge, revenue:usage +charge) that belongs to that event alone, or none when 0;
 * - each (line, event id) has exactly one row.
 * Returns the violations found (empty is good), after ledgerViolations' own.
 */
export async function chargingViolations(db: Executor, line_ids?: readonly string[]): Promise<string[]> {
  const violations = [...(await ledgerViolations(db))];
  const scoped = <T extends { line_id: string }>(rows: T[]) => (line_ids ? rows.filter((row) => line_ids.includes(row.line_id)) : rows);

  const bundles = scoped(await db.selectFrom('bundles').selectAll().execute());
  const events = scoped(await db.selectFrom('usage_events').selectAll().execute());

  const drawn = new Map<string, { data: number; voice: number; sms: number }>();
  const bundleLine = new Map(bundles.map((bundle) => [bundle.id, bundle.line_id]));
  const seen = new Set<string>();
  for (const event of events) {
    const key = `${event.line_id}/${event.event_id}`;
    if (seen.has(key)) violations.push(`event ${key} has more than one row`);
    seen.add(key);
    const quantity = Number(event.quantity);
    if (Number(event.from_bundles) + Number(event.from_wallet) + Number(event.denied) !== quantity) violations.push(`event ${key} does not account for its quantity`);
    const draws = JSON.parse(event.draws) as Array<{ bundle_id: string; quantity: number }>;
    const drawn_total = draws.reduce((sum, draw) => sum + draw.quantity, 0);
    if (drawn_total !== Number(event.from_bundles)) violations.push(`event ${key} draws ${drawn_total} but records ${event.from_bundles} from bundles`);
    for (const draw of draws) {
      if (!(draw.quantity > 0)) violations.push(`event ${key} has a draw of ${draw.quantity}`);
      if (bundleLine.get(draw.bundle_id) !== event.line_id) violations.push(`event ${key} draws from bundle ${draw.bundle_id} of another line`);
      const sums = drawn.get(draw.bundle_id) ?? { data: 0, voice: 0, sms: 0 };
      sums[event.kind] += draw.quantity;
      drawn.set(draw.bundle_id, sums);
    }
  }
  for (const bundle of bundles) {
    const sums = drawn.get(bundle.id) ?? { data: 0, voice: 0, sms: 0 };
    const used = {
      data: Number(bundle.data_bytes_total) - Number(bundle.data_bytes_remaining),
      voice: Number(bundle.voice_seconds_total) - Number(bundle.voice_seconds_remaining),
      sms: Number(bundle.sms_total) - Number(bundle.sms_remaining),
    };
    for (const kind of ['data', 'voice', 'sms'] as const) {
      if (used[kind] !== sums[kind]) violations.push(`bundle ${bundle.id} used ${used[kind]} ${kind} but events drew ${sums[kind]}`);
    }
  }

  const charged = events.filter((event) => Number(event.wallet_charge_minor) > 0 || event.entry_id !== null);
  const entry_ids = charged.flatMap((event) => (event.entry_id ? [event.entry_id] : []));
  if (new Set(entry_ids).size !== entry_ids.length) violations.push('two usage events share a journal entry');
  const postings = new Map<string, Array<{ account_id: string; amount_minor: number }>>();
  const entries = new Map<string, string>();
  for (let start = 0; start < entry_ids.length; start += 500) {
    const chunk = entry_ids.slice(start, start + 500);
    for (const row of await db.selectFrom('postings').select(['entry_id', 'account_id', 'amount_minor']).where('entry_id', 'in', chunk).execute()) {
      postings.set(row.entry_id, [
        ...(postings.get(row.entry_id) ?? []),
        { account_id: row.account_id, amount_minor: Number(row.amount_minor) },
      ]);
    }
    for (const row of await db.selectFrom('journal_entries').select(['id', 'kind']).where('id', 'in', chunk).execute()) entries.set(row.id, row.kind);
  }
  const wallets = new Map((await db.selectFrom('lines').select(['id', 'wallet_account_id']).execute()).map((line) => [line.id, line.wallet_account_id]));
  for (const event of charged) {
    const key = `${event.line_id}/${event.event_id}`;
    const charge = Number(event.wallet_charge_minor);
    if (charge === 0) {
      violations.push(`event ${key} charges nothing but names entry ${event.entry_id}`);
      continue;
    }
    if (!event.entry_id) {
      violations.push(`event ${key} charges ${charge} without a journal entry`);
      continue;
    }
    if (entries.get(event.entry_id) !== 'usage_charge') violations.push(`event ${key}: entry ${event.entry_id} is not a usage_charge`);
    const expected = [
      { account_id: SYSTEM_ACCOUNTS.revenue_usage.id, amount_minor: charge },
      { account_id: wallets.get(event.line_id) ?? '?', amount_minor: -charge },
    ];
    const actual = [...(postings.get(event.entry_id) ?? [])].sort((a, b) => (a.account_id < b.account_id ? -1 : 1));
    if (JSON.stringify(actual) !== JSON.stringify(expected)) violations.push(`event ${key}: entry ${event.entry_id} posts ${JSON.stringify(actual)}`);
  }
  return violations;
}

/** How many usage_events rows each (line, event id) has, for the lines given. */
export async function usageRowCounts(db: Executor, line_ids: readonly string[]): Promise<Map<string, number>> {
  if (line_ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('usage_events')
    .select(['line_id', 'event_id', sql<string>`count(*)`.as('n')])
    .where('line_id', 'in', [...line_ids])
    .groupBy(['line_id', 'event_id'])
    .execute();
  return new Map(rows.map((row) => [`${row.line_id}/${row.event_id}`, Number(row.n)]));
}
