import { planCharge, type DenialReason, type PayAsYouGoTariff } from '../../core/charging-plan.js';
import { assert, RoamError } from '../../core/errors.js';
import { parseMsisdn } from '../../core/phone.js';
import { isUsageKind, type UsageKind } from '../../core/units.js';
import { lockLines, supportsRowLocks } from '../../db/locks.js';
import type { UsageEventsTable } from '../../db/schema.js';
import type { Executor } from '../../db/transaction.js';
import { sql } from 'kysely';
import { SYSTEM_ACCOUNTS } from '../ledger/accounts.js';
import { chunks, postEntries, postEntry, type EntryInput } from '../ledger/ledger.js';
import type { Line } from '../lines/lines.js';
import { alertAfterBatch, alertAfterCharge } from '../notices/usage-alerts.js';
import type { Notices } from '../notices/notices.js';
import { refuseBlockedUsage, UsageGate } from '../network-blocks/usage-gate.js';
import { IdentityGate, identityRefusal, type IdentityGateRow } from '../identity/identity-gate.js';
import type { Bundle } from './bundles.js';

/**
 * Usage charging. One event — data bytes, voice seconds or SMS messages used by a line at a time —
 * is charged at most once, keyed by (line, event id): a replay returns the stored outcome.
 * Under the line's lock: draw from bundles expiring first, then from the wallet at pay-as-you-go
 * tariffs, deny the rest; bundles, wallet, journal and the event row change in one transaction.
 */

export const EVENT_ID_LENGTH_MAX = 128;
/** A single event larger than this is a malformed record, not usage (1 TB, 31 days, 100,000 SMS). */
export const USAGE_QUANTITY_MAX: Record<UsageKind, number> = { data: 2 ** 40, voice: 31 * 24 * 3600, sms: 100_000 };

export interface UsageInput {
  readonly event_id: string;
  readonly line_id?: string | undefined;
  readonly msisdn?: string | undefined;
  readonly kind: string;
  /** Bytes for data, seconds for voice, messages for SMS. */
  readonly quantity: number;
  readonly at_ms: number;
}

export interface UsageResult {
  readonly event_id: string;
  readonly line_id: string;
  readonly kind: UsageKind;
  readonly quantity: number;
  readonly granted: number;
  readonly from_bundles: number;
  readonly from_wallet: number;
  readonly wallet_charge_minor: number;
  readonly denied: number;
  readonly denial_reason: DenialReason | null;
  readonly draws: ReadonlyArray<{ bundle_id: string; quantity: number }>;
  /** True when this event had been charged before and the stored outcome was returned. */
  readonly replayed: boolean;
}

export type TariffFor = (kind: UsageKind) => PayAsYouGoTariff | null;

interface ValidUsage {
  readonly event_id: string;
  readonly kind: UsageKind;
  readonly quantity: number;
  readonly at_ms: number;
  readonly line: { line_id: string } | { msisdn: string };
}

/** Checks an event's fields; the error names the field. Nothing is read or written. */
export function validateUsage(input: UsageInput): ValidUsage {
  const event_id = typeof input.event_id === 'string' ? input.event_id.trim() : '';
  if (event_id.length === 0 || event_id.length > EVENT_ID_LENGTH_MAX) {
    throw new RoamError('ROAM_ERR_VALIDATION', { field: 'event_id', reason: event_id.length === 0 ? 'empty' : 'too_large' });
  }
  if (!isUsageKind(String(input.kind))) throw new RoamError('ROAM_ERR_VALIDATION', { field: 'kind', reason: 'unknown_kind', value: String(input.kind) });
  const kind = input.kind as UsageKind;
  if (!Number.isSafeInteger(input.quantity)) throw new RoamError('ROAM_ERR_VALIDATION', { field: 'quantity', reason: 'not_integer' });
  if (input.quantity < 0) throw new RoamError('ROAM_ERR_VALIDATION', { field: 'quantity', reason: 'negative' });
  if (input.quantity > USAGE_QUANTITY_MAX[kind]) throw new RoamError('ROAM_ERR_VALIDATION', { field: 'quantity', reason: 'too_large' });
  if (!Number.isSafeInteger(input.at_ms) || input.at_ms < 0) throw new RoamError('ROAM_ERR_VALIDATION', { field: 'at', reason: 'not_a_date' });
  let line: ValidUsage['line'];
  if (input.line_id) line = { line_id: input.line_id };
  else if (input.msisdn) {
    const msisdn = parseMsisdn(input.msisdn);
    if (!msisdn.ok) throw new RoamError('ROAM_ERR_MSISDN_INVALID', { field: 'msisdn', reason: msisdn.problem, value: input.msisdn });
    line = { msisdn: msisdn.msisdn };
  } else throw new RoamError('ROAM_ERR_VALIDATION', { field: 'line_id', reason: 'empty' });
  return { event_id, kind, quantity: input.quantity, at_ms: input.at_ms, line };
}

const REMAINING_COLUMN = { data: 'data_bytes_remaining', voice: 'voice_seconds_remaining', sms: 'sms_remaining' } as const;

/** What one charge reads before it decides: the line, its wallet balance, and the event if seen before. */
interface LineState {
  readonly line: Pick<Line, 'id' | 'status' | 'wallet_account_id'>;
  readonly wallet_balance_minor: number;
  readonly previous: UsageEventsTable | undefined;
  /** The line's identity check when it was connected at a desk (303-FZ), read in the same query. */
  readonly identity: IdentityGateRow | undefined;
}

/**
 * The line, its wallet's balance and the earlier charge of this event id, if any, in one query.
 * On PostgreSQL the line's row lock is taken first, by its own statement: under READ COMMITTED a
 * statement that waited for a lock still reads joined rows (the wallet, an event a concurrent
 * transaction just inserted) as of its start, so only a statement begun after the lock sees them
 * current. On SQLite the transaction already holds the write lock.
 */
async function readLineState(trx: Executor, ref: ValidUsage['line'], event_id: string): Promise<LineState> {
  if (supportsRowLocks(trx)) ref = { line_id: await lockLineByRef(trx, ref) };
  let query = trx
    .selectFrom('lines')
    .innerJoin('ledger_accounts as wallet', 'wallet.id', 'lines.wallet_account_id')
    .leftJoin('usage_events as previous', (join) => join.onRef('previous.line_id', '=', 'lines.id').on('previous.event_id', '=', event_id))
    .leftJoin('line_identities as identity', 'identity.line_id', 'lines.id')
    .select([
      'lines.id', 'lines.status', 'lines.wallet_account_id', 'wallet.balance_minor',
      'identity.verification_state', 'identity.decided_at_ms as identity_decided_at_ms',
      'previous.event_id as previous_event_id', 'previous.kind as previous_kind', 'previous.quantity as previous_quantity',
      'previous.occurred_at_ms as previous_occurred_at_ms', 'previous.from_bundles as previous_from_bundles',
      'previous.from_wallet as previous_from_wallet', 'previous.denied as previous_denied', 'previous.denial_reason as previous_denial_reason',
      'previous.wallet_charge_minor as previous_wallet_charge_minor', 'previous.entry_id as previous_entry_id',
      'previous.draws as previous_draws', 'previous.charged_at_ms as previous_charged_at_ms',
    ]);
  query = 'line_id' in ref ? query.where('lines.id', '=', ref.line_id) : query.where('lines.msisdn', '=', ref.msisdn);
  const row = await query.executeTakeFirst();
  if (!row) throw new RoamError('ROAM_ERR_LINE_NOT_FOUND');
  const previous: UsageEventsTable | undefined = row.previous_event_id === null ? undefined : {
    line_id: row.id, event_id: row.previous_event_id, kind: row.previous_kind!, quantity: row.previous_quantity!,
    occurred_at_ms: row.previous_occurred_at_ms!, from_bundles: row.previous_from_bundles!, from_wallet: row.previous_from_wallet!,
    denied: row.previous_denied!, denial_reason: row.previous_denial_reason, wallet_charge_minor: row.previous_wallet_charge_minor!,
    entry_id: row.previous_entry_id, draws: row.previous_draws!, charged_at_ms: row.previous_charged_at_ms!,
  };
  return {
    line: { id: row.id, status: row.status, wallet_account_id: row.wallet_account_id },
    wallet_balance_minor: row.balance_minor,
    previous,
    identity: row.verification_state === null
      ? undefined
      : { verification_state: row.verification_state, decided_at_ms: row.identity_decided_at_ms },
  };
}

async function lockLineByRef(trx: Executor, ref: ValidUsage['line']): Promise<string> {
  let query = trx.selectFrom('lines').select('id');
  query = 'line_id' in ref ? query.where('id', '=', ref.line_id) : query.where('msisdn', '=', ref.msisdn);
  const row = await query.forUpdate().executeTakeFirst();
  if (!row) throw new RoamError('ROAM_ERR_LINE_NOT_FOUND');
  return row.id;
}

/** `alerts`: usage alerts are decided in the same transaction (services/notices/usage-alerts.ts); none without it. */
export async function chargeUsage(
  trx: Executor,
  input: UsageInput,
  tariffFor: TariffFor,
  now_ms: number,
  alerts?: Notices,
): Promise<UsageResult> {
  const usage = validateUsage(input);
  const state = await readLineState(trx, usage.line, usage.event_id);
  if (state.previous) return replay(state.previous, usage);
  const unverified = state.identity === undefined ? null : identityRefusal(state.identity, usage.at_ms);
  if (unverified) throw unverified;
  await refuseBlockedUsage(trx, state.line.id, usage.kind, usage.at_ms);
  const bundles = await drawableBundles(trx, [state.line.id], usage.at_ms, usage.kind);
  const decision = decide(usage, state.line, bundles.get(state.line.id) ?? [], state.wallet_balance_minor, tariffFor, now_ms);
  await writeBundleDraws(trx, decision.draws_by_bundle, REMAINING_COLUMN[usage.kind]);
  const entry_id = decision.entry ? await postEntry(trx, decision.entry, now_ms) : null;
  const row = { ...decision.row, entry_id };
  await trx.insertInto('usage_events').values(row).execute();
  await alertAfterCharge(trx, alerts, bundles.get(state.line.id) ?? [], usage.kind, decision.draws_by_bundle, now_ms);
  return resultFromRow(row, false);
}

function resultFromRow(row: UsageEventsTable, replayed: boolean): UsageResult {
  return {
    event_id: row.event_id,
    line_id: row.line_id,
    kind: row.kind,
    quantity: row.quantity,
    granted: row.from_bundles + row.from_wallet,
    from_bundles: row.from_bundles,
    from_wallet: row.from_wallet,
    wallet_charge_minor: row.wallet_charge_minor,
    denied: row.denied,
    denial_reason: row.denial_reason as DenialReason | null,
    draws: JSON.parse(row.draws) as UsageResult['draws'],
    replayed,
  };
}

/** The same event again: the stored outcome when it is the same usage, a conflict when it is not. */
function replay(previous: Pick<UsageEventsTable, 'kind' | 'quantity' | 'occurred_at_ms'> & UsageEventsTable, usage: ValidUsage): UsageResult {
  const same = previous.kind === usage.kind && previous.quantity === usage.quantity && previous.occurred_at_ms === usage.at_ms;
  if (!same) throw new RoamError('ROAM_ERR_USAGE_EVENT_CONFLICT', { value: usage.event_id });
  return resultFromRow(previous, true);
}

/**
 * Bundles of these lines that could be drawn for `kind` at or after `from_ms` (expiry after it, not
 * revoked, something left of that kind). The planner applies the exact time window per event.
 */
async function drawableBundles(
  trx: Executor,
  line_ids: readonly string[],
  from_ms: number,
  kind: UsageKind | null,
): Promise<Map<string, Bundle[]>> {
  const byLine = new Map<string, Bundle[]>();
  for (const ids of chunks(line_ids, LINES_PER_QUERY_MAX)) {
    let query = trx.selectFrom('bundles').selectAll().where('line_id', 'in', ids).where('expires_at_ms', '>', from_ms).where('status', '!=', 'revoked');
    if (kind) query = query.where(REMAINING_COLUMN[kind], '>', 0);
    for (const bundle of await query.orderBy('expires_at_ms').orderBy('id').execute()) {
      const list = byLine.get(bundle.line_id) ?? [];
      list.push(bundle);
      byLine.set(bundle.line_id, list);
    }
  }
  return byLine;
}

interface Decision {
  readonly row: Omit<UsageEventsTable, 'entry_id'> & { entry_id: null };
  readonly entry: EntryInput | null;
  /** Units each bundle gives, to subtract from its remaining count of the event's kind. */
  readonly draws_by_bundle: ReadonlyMap<string, number>;
}

/** Plans one event against the state in hand (pure but for reading the clock-free inputs). */
function decide(usage: ValidUsage, line: LineState['line'], bundles: readonly Bundle[], wallet_balance_minor: number, tariffFor: TariffFor, now_ms: number): Decision {
  const column = REMAINING_COLUMN[usage.kind];
  const plan = planCharge({
    kind: usage.kind,
    quantity: usage.quantity,
    at_ms: usage.at_ms,
    line_active: line.status === 'active',
    bundles: bundles.map((bundle) => ({
      id: bundle.id, expires_at_ms: bundle.expires_at_ms, activated_at_ms: bundle.activated_at_ms, remaining: bundle[column],
    })),
    wallet_balance_minor,
    tariff: tariffFor(usage.kind),
  });
  const entry: EntryInput | null = plan.wallet_charge_minor === 0 ? null : {
    kind: 'usage_charge',
    line_id: line.id,
    memo: `Pay-as-you-go ${usage.kind}: ${plan.from_wallet} (event ${usage.event_id})`,
    postings: [
      { account_id: line.wallet_account_id, amount_minor: -plan.wallet_charge_minor },
      { account_id: SYSTEM_ACCOUNTS.revenue_usage.id, amount_minor: plan.wallet_charge_minor },
    ],
  };
  return {
    row: {
      line_id: line.id, event_id: usage.event_id, kind: usage.kind, quantity: usage.quantity, occurred_at_ms: usage.at_ms,
      from_bundles: plan.from_bundles, from_wallet: plan.from_wallet, denied: plan.denied, denial_reason: plan.denial_reason,
      wallet_charge_minor: plan.wallet_charge_minor, entry_id: null, draws: JSON.stringify(plan.draws), charged_at_ms: now_ms,
    },
    entry,
    draws_by_bundle: new Map(plan.draws.map((draw) => [draw.bundle_id, draw.quantity])),
  };
}

/** Subtracts draws, each guarded so a bundle can never go below zero even if the plan were wrong. */
async function writeBundleDraws(
  trx: Executor,
  draws: ReadonlyMap<string, number>,
  column: (typeof REMAINING_COLUMN)[UsageKind],
): Promise<void> {
  for (const [bundle_id, quantity] of draws) {
    if (quantity === 0) continue;
    const updated = await trx
      .updateTable('bundles')
      .set((eb) => ({ [column]: eb(column, '-', quantity) }))
      .where('id', '=', bundle_id)
      .where(column, '>=', quantity)
      .executeTakeFirst();
    assert(Number(updated.numUpdatedRows) === 1, `bundle ${bundle_id} changed under the line lock`);
  }
}

export type BatchOutcome = { ok: true; result: UsageResult } | { ok: false; error: RoamError };

const LINES_PER_QUERY_MAX = 500;
/** (line, event) pairs per lookup: two parameters each, well inside both engines' limits. */
const EVENT_KEYS_PER_QUERY_MAX = 500;
const EVENT_ROWS_PER_INSERT_MAX = 500;

/**
 * Charges a batch of events in one transaction (usage files, network bursts), set-based: the lines
 * are locked up front in id order (two batches that share lines cannot deadlock), their bundles,
 * wallets and earlier charges are read once, every event is planned in order against that state
 * in memory — by the same rules and the same planner as a single charge — and the results are
 * written back in a few statements: one per touched bundle and kind, one balance move per wallet,
 * multi-row inserts for entries, postings and events. A bad event is reported in its slot.
 */
export async function chargeUsageBatch(
  trx: Executor,
  inputs: readonly UsageInput[],
  tariffFor: TariffFor,
  now_ms: number,
  alerts?: Notices,
): Promise<BatchOutcome[]> {
  const outcomes: Array<BatchOutcome | undefined> = new Array(inputs.length);
  const valid: Array<{ index: number; usage: ValidUsage }> = [];
  inputs.forEach((input, index) => {
    try {
      valid.push({ index, usage: validateUsage(input) });
    } catch (error) {
      if (!(error instanceof RoamError)) throw error;
      outcomes[index] = { ok: false, error };
    }
  });

  const lines = await loadLines(trx, valid.map(({ usage }) => usage.line));
  const line_ids = [...new Set([...lines.byId.values()].map((line) => line.id))];
  await lockLines(trx, line_ids);
  const keys = valid.flatMap(({ usage }) => {
    const line = 'line_id' in usage.line ? lines.byId.get(usage.line.line_id) : lines.byMsisdn.get(usage.line.msisdn);
    return line ? [[line.id, usage.event_id] as const] : [];
  });
  const state = await loadBatchState(trx, line_ids, keys, valid.map(({ usage }) => usage));
  const gate = await UsageGate.load(trx, line_ids, valid.map(({ usage }) => usage.at_ms));
  const identities = await IdentityGate.load(trx, line_ids);

  const charged: Array<{ index: number; decision: Decision }> = [];
  for (const { index, usage } of valid) {
    const line = 'line_id' in usage.line ? lines.byId.get(usage.line.line_id) : lines.byMsisdn.get(usage.line.msisdn);
    if (!line) {
      outcomes[index] = { ok: false, error: new RoamError('ROAM_ERR_LINE_NOT_FOUND') };
      continue;
    }
    const key = `${line.id}\u0000${usage.event_id}`;
    const previous = state.previous.get(key);
    if (previous) {
      try {
        outcomes[index] = { ok: true, result: replay(previous, usage) };
      } catch (error) {
        outcomes[index] = { ok: false, error: error as RoamError };
      }
      continue;
    }
    const refusal = identities.refusal(line.id, usage.at_ms) ?? gate.refusal(line.id, usage.kind, usage.at_ms);
    if (refusal) {
      outcomes[index] = { ok: false, error: refusal };
      continue;
    }
    const wallet_balance_minor = state.wallets.get(line.wallet_account_id) ?? 0;
    const decision = decide(usage, line, state.bundles.get(line.id) ?? [], wallet_balance_minor, tariffFor, now_ms);
    applyToState(state, line, usage.kind, decision);
    state.previous.set(key, { ...decision.row });
    charged.push({ index, decision });
  }
  await writeBatch(trx, state, charged, outcomes, now_ms);
  await alertAfterBatch(trx, alerts, state.bundles, charged, now_ms);
  return outcomes.map((outcome) => {
    assert(outcome !== undefined, 'every event of a batch has an outcome');
    return outcome;
  });
}

interface BatchState {
  /** Earlier charges by `${line_id}\0${event_id}` (from the database, then from this batch). */
  readonly previous: Map<string, UsageEventsTable>;
  readonly wallets: Map<string, number>;
  readonly bundles: Map<string, Bundle[]>;
  /** Bundles this batch drew from, with the kinds it drew. */
  readonly touched: Map<string, Set<UsageKind>>;
}

async function loadBatchState(
  trx: Executor,
  line_ids: readonly string[],
  keys: ReadonlyArray<readonly [line_id: string, event_id: string]>,
  usages: readonly ValidUsage[],
): Promise<BatchState> {
  const previous = new Map<string, UsageEventsTable>();
  for (const chunk of chunks(keys, EVENT_KEYS_PER_QUERY_MAX)) {
    // Row values against the primary key: one index probe per (line, event) pair. Two separate
    // IN lists would probe every line with every event id — lines × events, not events.
    const pairs = sql.join(chunk.map(([line_id, event_id]) => sql`(${line_id}, ${event_id})`));
    const rows = await trx.selectFrom('usage_events').selectAll().where(sql<boolean>`(line_id, event_id) in (values ${pairs})`).execute();
    for (const row of rows) previous.set(`${row.line_id}\u0000${row.event_id}`, row);
  }
  const wallets = new Map<string, number>();
  for (const ids of chunks(line_ids, LINES_PER_QUERY_MAX)) {
    const rows = await trx.selectFrom('lines').innerJoin('ledger_accounts', 'ledger_accounts.id', 'lines.wallet_account_id')
      .select(['ledger_accounts.id', 'ledger_accounts.balance_minor']).where('lines.id', 'in', ids).execute();
    for (const row of rows) wallets.set(row.id, row.balance_minor);
  }
  const from_ms = usages.reduce((earliest, usage) => Math.min(earliest, usage.at_ms), Number.MAX_SAFE_INTEGER);
  // Copies: the batch plans against them, and writes back only what changed.
  const bundles = new Map([...(await drawableBundles(trx, line_ids, from_ms, null))]
    .map(([line_id, list]) => [line_id, list.map((bundle) => ({ ...bundle }))]));
  return { previous, wallets, bundles, touched: new Map() };
}

function applyToState(state: BatchState, line: Pick<Line, 'id' | 'wallet_account_id'>, kind: UsageKind, decision: Decision): void {
  const column = REMAINING_COLUMN[kind];
  for (const bundle of state.bundles.get(line.id) ?? []) {
    const drawn = decision.draws_by_bundle.get(bundle.id);
    if (drawn === undefined) continue;
    bundle[column] -= drawn;
    assert(bundle[column] >= 0, `batch plan overdrew bundle ${bundle.id}`);
    const kinds = state.touched.get(bundle.id) ?? new Set<UsageKind>();
    kinds.add(kind);
    state.touched.set(bundle.id, kinds);
  }
  const charge = decision.row.wallet_charge_minor;
  if (charge > 0) state.wallets.set(line.wallet_account_id, (state.wallets.get(line.wallet_account_id) ?? 0) - charge);
}

async function writeBatch(
  trx: Executor,
  state: BatchState,
  charged: ReadonlyArray<{ index: number; decision: Decision }>,
  outcomes: Array<BatchOutcome | undefined>,
  now_ms: number,
): Promise<void> {
  const all_bundles = new Map([...state.bundles.values()].flat().map((bundle) => [bundle.id, bundle]));
  for (const [bundle_id, kinds] of state.touched) {
    const bundle = all_bundles.get(bundle_id);
    assert(bundle !== undefined, `touched bundle ${bundle_id} is loaded`);
    // Absolute values are safe: the lines are locked, and only charging under that lock draws.
    const values = Object.fromEntries([...kinds].map((kind) => [REMAINING_COLUMN[kind], bundle[REMAINING_COLUMN[kind]]]));
    await trx.updateTable('bundles').set(values).where('id', '=', bundle_id).execute();
  }
  const with_entries = charged.filter(({ decision }) => decision.entry !== null);
  const entry_ids = await postEntries(trx, with_entries.map(({ decision }) => decision.entry!), now_ms);
  const entry_by_index = new Map(with_entries.map(({ index }, position) => [index, entry_ids[position]!]));
  const rows = charged.map(({ index, decision }) => ({ ...decision.row, entry_id: entry_by_index.get(index) ?? null }));
  for (const chunk of chunks(rows, EVENT_ROWS_PER_INSERT_MAX)) await trx.insertInto('usage_events').values(chunk).execute();
  charged.forEach(({ index }, position) => {
    outcomes[index] = { ok: true, result: resultFromRow(rows[position]!, false) };
  });
}

async function loadLines(trx: Executor, refs: ReadonlyArray<ValidUsage['line']>) {
  const ids = [...new Set(refs.flatMap((ref) => ('line_id' in ref ? [ref.line_id] : [])))];
  const msisdns = [...new Set(refs.flatMap((ref) => ('msisdn' in ref ? [ref.msisdn] : [])))];
  const rows: Line[] = [];
  for (const chunk of chunks(ids, LINES_PER_QUERY_MAX)) rows.push(...(await trx.selectFrom('lines').selectAll().where('id', 'in', chunk).execute()));
  for (const chunk of chunks(msisdns, LINES_PER_QUERY_MAX)) rows.push(...(await trx.selectFrom('lines').selectAll().where('msisdn', 'in', chunk).execute()));
  return { byId: new Map(rows.map((line) => [line.id, line])), byMsisdn: new Map(rows.map((line) => [line.msisdn, line])) };
}
