import { planCharge, type DenialReason, type PayAsYouGoTariff } from '../../core/charging-plan.js';
import { assert, RoamError } from '../../core/errors.js';
import { parseMsisdn } from '../../core/phone.js';
import { isUsageKind, type UsageKind } from '../../core/units.js';
import { lockLines, supportsRowLocks } from '../../db/locks.js';
import type { UsageEventsTable } from '../../db/schema.js';
import type { Executor } from '../../db/transaction.js';
import { SYSTEM_ACCOUNTS } from '../ledger/accounts.js';
import { postEntry } from '../ledger/ledger.js';
import type { Line } from '../lines/lines.js';
import { liveBundles } from './bundles.js';

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

/** Reads (and on PostgreSQL locks) the line an event is for. */
async function lockedLine(trx: Executor, ref: ValidUsage['line']): Promise<Line> {
  let query = trx.selectFrom('lines').selectAll();
  query = 'line_id' in ref ? query.where('id', '=', ref.line_id) : query.where('msisdn', '=', ref.msisdn);
  if (supportsRowLocks(trx)) query = query.forUpdate();
  const line = await query.executeTakeFirst();
  if (!line) throw new RoamError('ROAM_ERR_LINE_NOT_FOUND');
  return line;
}

export async function chargeUsage(trx: Executor, input: UsageInput, tariffFor: TariffFor, now_ms: number): Promise<UsageResult> {
  const usage = validateUsage(input);
  const line = await lockedLine(trx, usage.line);
  return chargeLockedLine(trx, line, usage, tariffFor, now_ms);
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

const REMAINING_COLUMN = { data: 'data_bytes_remaining', voice: 'voice_seconds_remaining', sms: 'sms_remaining' } as const;

/** The charge itself, for a line already locked by the caller. */
async function chargeLockedLine(trx: Executor, line: Line, usage: ValidUsage, tariffFor: TariffFor, now_ms: number): Promise<UsageResult> {
  const previous = await trx.selectFrom('usage_events').selectAll().where('line_id', '=', line.id).where('event_id', '=', usage.event_id).executeTakeFirst();
  if (previous) {
    const same = previous.kind === usage.kind && previous.quantity === usage.quantity && previous.occurred_at_ms === usage.at_ms;
    if (!same) throw new RoamError('ROAM_ERR_USAGE_EVENT_CONFLICT', { value: usage.event_id });
    return resultFromRow(previous, true);
  }

  const column = REMAINING_COLUMN[usage.kind];
  const bundles = await liveBundles(trx, line.id, usage.at_ms);
  const wallet = await trx.selectFrom('ledger_accounts').select('balance_minor').where('id', '=', line.wallet_account_id).executeTakeFirstOrThrow();
  const plan = planCharge({
    kind: usage.kind,
    quantity: usage.quantity,
    at_ms: usage.at_ms,
    line_active: line.status === 'active',
    bundles: bundles.map((bundle) => ({ id: bundle.id, expires_at_ms: bundle.expires_at_ms, activated_at_ms: bundle.activated_at_ms, remaining: bundle[column] })),
    wallet_balance_minor: wallet.balance_minor,
    tariff: tariffFor(usage.kind),
  });

  for (const draw of plan.draws) {
    const updated = await trx
      .updateTable('bundles')
      .set((eb) => ({ [column]: eb(column, '-', draw.quantity) }))
      .where('id', '=', draw.bundle_id)
      .where(column, '>=', draw.quantity)
      .executeTakeFirst();
    assert(Number(updated.numUpdatedRows) === 1, `bundle ${draw.bundle_id} changed under the line lock`);
  }
  const entry_id = plan.wallet_charge_minor === 0 ? null : await postEntry(
    trx,
    {
      kind: 'usage_charge',
      line_id: line.id,
      memo: `Pay-as-you-go ${usage.kind}: ${plan.from_wallet} (event ${usage.event_id})`,
      postings: [
        { account_id: line.wallet_account_id, amount_minor: -plan.wallet_charge_minor },
        { account_id: SYSTEM_ACCOUNTS.revenue_usage.id, amount_minor: plan.wallet_charge_minor },
      ],
    },
    now_ms,
  );
  const row: UsageEventsTable = {
    line_id: line.id,
    event_id: usage.event_id,
    kind: usage.kind,
    quantity: usage.quantity,
    occurred_at_ms: usage.at_ms,
    from_bundles: plan.from_bundles,
    from_wallet: plan.from_wallet,
    denied: plan.denied,
    denial_reason: plan.denial_reason,
    wallet_charge_minor: plan.wallet_charge_minor,
    entry_id,
    draws: JSON.stringify(plan.draws),
    charged_at_ms: now_ms,
  };
  await trx.insertInto('usage_events').values(row).execute();
  return resultFromRow(row, false);
}

export type BatchOutcome = { ok: true; result: UsageResult } | { ok: false; error: RoamError };

/**
 * Charges a batch of events in one transaction (usage files, network bursts). Each event obeys the
 * same rules as a single charge; a bad event is reported in its slot and the rest go on. Lines are
 * locked up front in id order, so two batches that share lines cannot deadlock.
 */
export async function chargeUsageBatch(trx: Executor, inputs: readonly UsageInput[], tariffFor: TariffFor, now_ms: number): Promise<BatchOutcome[]> {
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
  await lockLines(trx, [...new Set([...lines.byId.values()].map((line) => line.id))]);
  for (const { index, usage } of valid) {
    const line = 'line_id' in usage.line ? lines.byId.get(usage.line.line_id) : lines.byMsisdn.get(usage.line.msisdn);
    if (!line) {
      outcomes[index] = { ok: false, error: new RoamError('ROAM_ERR_LINE_NOT_FOUND') };
      continue;
    }
    try {
      outcomes[index] = { ok: true, result: await chargeLockedLine(trx, line, usage, tariffFor, now_ms) };
    } catch (error) {
      // Only conflicts are expected here, and they are detected by a read before any write.
      if (!(error instanceof RoamError) || error.code !== 'ROAM_ERR_USAGE_EVENT_CONFLICT') throw error;
      outcomes[index] = { ok: false, error };
    }
  }
  return outcomes.map((outcome) => {
    assert(outcome !== undefined, 'every event of a batch has an outcome');
    return outcome;
  });
}

async function loadLines(trx: Executor, refs: ReadonlyArray<ValidUsage['line']>) {
  const ids = [...new Set(refs.flatMap((ref) => ('line_id' in ref ? [ref.line_id] : [])))];
  const msisdns = [...new Set(refs.flatMap((ref) => ('msisdn' in ref ? [ref.msisdn] : [])))];
  const rows: Line[] = [];
  const CHUNK = 500;
  for (let start = 0; start < ids.length; start += CHUNK) {
    rows.push(...(await trx.selectFrom('lines').selectAll().where('id', 'in', ids.slice(start, start + CHUNK)).execute()));
  }
  for (let start = 0; start < msisdns.length; start += CHUNK) {
    rows.push(...(await trx.selectFrom('lines').selectAll().where('msisdn', 'in', msisdns.slice(start, start + CHUNK)).execute()));
  }
  return { byId: new Map(rows.map((line) => [line.id, line])), byMsisdn: new Map(rows.map((line) => [line.msisdn, line])) };
}
