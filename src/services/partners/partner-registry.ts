import { RoamError } from '../../core/errors.js';
import { accountToMsisdn, formatOsmpSum, parseOsmpSum, TXN_ID_PATTERN } from '../../core/osmp.js';
import { maskMsisdn } from '../../core/phone.js';
import { capabilitiesFor } from '../../db/capabilities.js';
import type { Database } from '../../db/database.js';
import type { PartnerPaymentsTable } from '../../db/schema.js';
import { inTransaction, type Executor } from '../../db/transaction.js';
import { localDateText, localDay } from '../../core/local-days.js';
import { chunks } from '../ledger/ledger.js';
import type { Partner } from './partner-directory.js';

/**
 * A partner's daily registry — the payments it took for us on one day of its own calendar, what it
 * owes us for that day — and its reconciliation with the registry the agent sends back.
 *
 * The day of a payment is the day of the journal entry that moved its money out of the partner's
 * settlement account (a top-up's credit, a pack's activation), not the row's `completed_at_ms`: the
 * two are separate readings of the clock — a pack's row is marked paid after the renewal service
 * settled it, and a pay cut short after its money moved is marked paid only when the agent repeats
 * it, possibly the next day. Bucketed by the entry, the registry's total is by construction the
 * settlement account's movement over the same interval, and the check that it is (`matches_ledger`)
 * finds any payment whose money moved without its row saying paid, or the reverse.
 */

/** One paid payment as the registry lists it. */
export interface RegistryRow {
  readonly txn_id: string;
  /** As the agent sent it (OSMP `YYYYMMDDHHMMSS`); null when it sent none. */
  readonly txn_date: string | null;
  /** The number without its "+": masked ("7900***4567") or full, by the partner's `registry_accounts`. */
  readonly account: string;
  readonly sum_minor: number;
  /** Our id of the payment (OSMP `prv_txn`). */
  readonly prv_txn: string;
  readonly purchase: 'pack' | 'top_up';
  /** When its money moved (the journal entry's time): what puts it on this day. */
  readonly paid_at_ms: number;
}

/** A journal entry that moved the settlement account on the day with no listed payment behind it (a refund, say). */
export interface UnexplainedEntry {
  readonly entry_id: string;
  readonly entry_kind: string;
  readonly memo: string;
  readonly created_at_ms: number;
  /** Out of the settlement account is positive, as the registry counts. */
  readonly movement_minor: number;
}

/** A listed payment whose journal entry does not move the settlement account by its sum on the day. */
export interface UnexplainedPayment {
  readonly prv_txn: string;
  readonly txn_id: string;
  readonly sum_minor: number;
  readonly movement_minor: number;
}

export interface PartnerRegistry {
  readonly partner_code: string;
  /** The partner's calendar day, "2025-11-26", in `time_zone`. */
  readonly date: string;
  readonly time_zone: string;
  /** The day as UTC instants: [start_ms, end_ms). */
  readonly start_ms: number;
  readonly end_ms: number;
  /** False while the day is not over: payments may still be added to it. */
  readonly day_over: boolean;
  /** Ordered by the time the money moved, then our id. */
  readonly rows: readonly RegistryRow[];
  readonly count: number;
  readonly sum_minor: number;
  /** What left the partner's settlement account over the day (the negated sum of its postings): what the agent owes. */
  readonly ledger_movement_minor: number;
  /** The registry's total is the settlement account's movement to the kopeck. */
  readonly matches_ledger: boolean;
  /** Why it does not, when it does not (both empty on a registry that matches). */
  readonly unexplained_entries: readonly UnexplainedEntry[];
  readonly unexplained_payments: readonly UnexplainedPayment[];
}

/**
 * How much earlier than its row's `completed_at_ms` a payment's journal entry may be dated and still
 * be found: the entry is written first in the same request, so only a wall clock stepped back
 * between the two readings (NTP) could put it later. The prefilter keeps the registry's query on the
 * (partner, state, completed_at_ms) index instead of every payment the partner ever sent.
 */
const CLOCK_STEP_BACK_MS_MAX = 60 * 60_000;
/** Rows of an agent's registry file read at most: a chain's busiest day is a few tens of thousands. */
export const THEIR_REGISTRY_ROWS_MAX = 200_000;
/** Their txn_ids looked up per query, under every engine's bound on parameters. */
const TXN_ID_LOOKUP_BATCH = 500;

/** UTC instants [start_ms, end_ms). */
interface Interval {
  readonly start_ms: number;
  readonly end_ms: number;
}

type StoredPayment = Pick<PartnerPaymentsTable, 'id' | 'txn_id' | 'txn_date' | 'msisdn' | 'sum_minor' | 'state' | 'reason' | 'purchase'> & {
  entry_id: string | null;
  /** The entry's time when there is one, else the row's completed_at_ms. */
  paid_at_ms: number | null;
};

/** The partner's day "YYYY-MM-DD", refused with ROAM_ERR_VALIDATION when it is not a calendar date. */
export function partnerDay(partner: Partner, date: string): Interval {
  const day = localDay(date, partner.time_zone);
  if (!day) throw new RoamError('ROAM_ERR_VALIDATION', { field: 'date', reason: 'not_a_date', value: date });
  return day;
}

/**
 * The partner's registry for one of its days, read in one snapshot so that a payment completing
 * meanwhile is in both figures or in neither.
 */
export async function buildRegistry(database: Database, partner: Partner, date: string, now_ms: number): Promise<PartnerRegistry> {
  return (await readRegistry(database, partner, date, now_ms)).registry;
}

/** The registry and the stored payments it lists (with their full numbers: for comparing, never for showing). */
async function readRegistry(
  database: Database, partner: Partner, date: string, now_ms: number,
): Promise<{ registry: PartnerRegistry; payments: readonly StoredPayment[] }> {
  const day = partnerDay(partner, date);
  return inSnapshot(database, async (db) => {
    const payments = await paidPaymentsOfDay(db, partner, day);
    const entries = await settlementEntriesOfDay(db, partner, day);
    return { registry: registryOf(partner, date, day, now_ms, payments, entries), payments };
  });
}

/**
 * Reads that agree with each other: PostgreSQL's REPEATABLE READ gives every query of the
 * transaction the same snapshot (READ COMMITTED, the default, would give each its own); SQLite's
 * write transaction holds the whole database already.
 */
function inSnapshot<T>(database: Database, work: (db: Executor) => Promise<T>): Promise<T> {
  if (capabilitiesFor(database.dialect).single_writer) return inTransaction(database, work);
  return database.db.transaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute(work);
}

/** Paid payments with the entry that moved their money: a top-up's own, a pack's through its payment. */
function storedPayments(db: Executor, partner: Partner) {
  return db.selectFrom('partner_payments as pp')
    .leftJoin('payments as pay', 'pay.id', 'pp.payment_id')
    .leftJoin('journal_entries as je', (join) => join.on((eb) => eb('je.id', '=', eb.fn.coalesce('pp.entry_id', 'pay.entry_id'))))
    .select((eb) => [
      'pp.id', 'pp.txn_id', 'pp.txn_date', 'pp.msisdn', 'pp.sum_minor', 'pp.state', 'pp.reason', 'pp.purchase', 'je.id as entry_id',
      eb.fn.coalesce('je.created_at_ms', 'pp.completed_at_ms').as('paid_at_ms'),
    ])
    .where('pp.partner_id', '=', partner.id);
}

async function paidPaymentsOfDay(db: Executor, partner: Partner, day: Interval): Promise<StoredPayment[]> {
  const rows = await storedPayments(db, partner)
    .where('pp.state', '=', 'paid')
    .where('pp.completed_at_ms', '>=', day.start_ms - CLOCK_STEP_BACK_MS_MAX)
    .where((eb) => eb.fn.coalesce('je.created_at_ms', 'pp.completed_at_ms'), '>=', day.start_ms)
    .where((eb) => eb.fn.coalesce('je.created_at_ms', 'pp.completed_at_ms'), '<', day.end_ms)
    .execute();
  return rows.map(normalized).sort((a, b) => (a.paid_at_ms ?? 0) - (b.paid_at_ms ?? 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** The journal entries that moved the settlement account over the day, each with its net movement out of it. */
async function settlementEntriesOfDay(db: Executor, partner: Partner, day: Interval): Promise<UnexplainedEntry[]> {
  const rows = await db.selectFrom('postings as p')
    .innerJoin('journal_entries as je', 'je.id', 'p.entry_id')
    .select((eb) => ['je.id', 'je.kind', 'je.memo', 'je.created_at_ms', eb.fn.sum<number | string>('p.amount_minor').as('amount_minor')])
    .where('p.account_id', '=', partner.settlement_account_id)
    .where('je.created_at_ms', '>=', day.start_ms)
    .where('je.created_at_ms', '<', day.end_ms)
    .groupBy(['je.id', 'je.kind', 'je.memo', 'je.created_at_ms'])
    .execute();
  return rows.map((row) => ({
    entry_id: row.id, entry_kind: row.kind, memo: row.memo, created_at_ms: Number(row.created_at_ms),
    movement_minor: -Number(row.amount_minor),
  }));
}

function normalized<T extends { sum_minor: number; paid_at_ms: number | string | null }>(row: T): T & { paid_at_ms: number | null } {
  return { ...row, sum_minor: Number(row.sum_minor), paid_at_ms: row.paid_at_ms === null ? null : Number(row.paid_at_ms) };
}

function registryOf(
  partner: Partner, date: string, day: Interval, now_ms: number,
  payments: readonly StoredPayment[], entries: readonly UnexplainedEntry[],
): PartnerRegistry {
  const rows = payments.map((payment): RegistryRow => ({
    txn_id: payment.txn_id, txn_date: payment.txn_date, account: registryAccount(partner, payment.msisdn), sum_minor: payment.sum_minor,
    prv_txn: payment.id, purchase: payment.purchase ?? 'top_up', paid_at_ms: payment.paid_at_ms ?? day.start_ms,
  }));
  const sum_minor = rows.reduce((total, row) => total + row.sum_minor, 0);
  const ledger_movement_minor = entries.reduce((total, entry) => total + entry.movement_minor, 0);
  const entry_by_id = new Map(entries.map((entry) => [entry.entry_id, entry]));
  const listed_entries = new Set(payments.map((payment) => payment.entry_id));
  const unexplained_payments = payments
    .map((payment) => ({
      prv_txn: payment.id, txn_id: payment.txn_id, sum_minor: payment.sum_minor,
      movement_minor: payment.entry_id === null ? 0 : (entry_by_id.get(payment.entry_id)?.movement_minor ?? 0),
    }))
    .filter((payment) => payment.movement_minor !== payment.sum_minor);
  return {
    partner_code: partner.code, date, time_zone: partner.time_zone, start_ms: day.start_ms, end_ms: day.end_ms,
    day_over: now_ms >= day.end_ms,
    rows, count: rows.length, sum_minor, ledger_movement_minor, matches_ledger: sum_minor === ledger_movement_minor,
    unexplained_entries: entries.filter((entry) => !listed_entries.has(entry.entry_id)), unexplained_payments,
  };
}

/**
 * The number as the registry shows it. Without the "+": the registry is a CSV file that agents open
 * in spreadsheets, where a leading "+" starts a formula (core/csv-writer.ts would have to mark the
 * cell), and an agent's own registry writes numbers as digits.
 */
function registryAccount(partner: Partner, msisdn: string): string {
  return (partner.registry_accounts === 'full' ? msisdn : maskMsisdn(msisdn)).replace(/^\+/, '');
}

/** The CSV registry's header, the order of `registryCsvCells`. */
export const REGISTRY_CSV_COLUMNS = ['txn_id', 'txn_date', 'account', 'sum', 'prv_txn'] as const;

export function registryCsvCells(row: RegistryRow): string[] {
  return [row.txn_id, row.txn_date ?? '', row.account, formatOsmpSum(row.sum_minor), row.prv_txn];
}

// ---------------------------------------------------------------------------------------------
// Reconciliation

/** One row of the agent's own registry, as read from its file: text as written, and where. */
export interface TheirRegistryRow {
  /** Line of the agent's file (for messages); the header is line 1. */
  readonly line_number: number;
  readonly txn_id: string;
  /** Roubles: "10.45", or "10,45" as Russian spreadsheets write it. */
  readonly sum: string;
  /** The number, full or masked ("7900***4567"); compared when given. */
  readonly account?: string | undefined;
  /** The agent's time of the payment; compared, digits only, when given. */
  readonly txn_date?: string | undefined;
}

interface TheirRow {
  readonly line_number: number;
  readonly txn_id: string;
  readonly sum_minor: number;
  readonly account: string | undefined;
  readonly txn_date: string | undefined;
}

interface DifferenceBase {
  readonly txn_id: string;
  /** The line of their file; null for a payment only we have. */
  readonly line_number: number | null;
  /** Our id of the payment; null for one we do not know. */
  readonly prv_txn: string | null;
}

export type RegistryDifference = DifferenceBase & (
  /** In their registry, unknown to us. */
  | { readonly kind: 'missing_ours'; readonly theirs_minor: number }
  /** Paid on the day by us, absent from their registry. */
  | { readonly kind: 'missing_theirs'; readonly ours_minor: number }
  | { readonly kind: 'sum_differs'; readonly ours_minor: number; readonly theirs_minor: number }
  /** `ours` is masked: reports never show a full number. */
  | { readonly kind: 'account_differs'; readonly ours: string; readonly theirs: string }
  | { readonly kind: 'txn_date_differs'; readonly ours: string; readonly theirs: string }
  /** We have it paid, but on another of the partner's days. */
  | { readonly kind: 'other_day'; readonly our_date: string; readonly ours_minor: number; readonly theirs_minor: number }
  /** We have it, not paid: refused, or accepted and not carried out yet. */
  | { readonly kind: 'not_paid'; readonly state: 'accepted' | 'rejected'; readonly reason: string; readonly theirs_minor: number }
  /** The txn_id is on more than one line of their file; the later lines are not compared. */
  | { readonly kind: 'duplicate_theirs'; readonly first_line_number: number }
);

export interface Reconciliation {
  readonly registry: PartnerRegistry;
  readonly rows_theirs: number;
  readonly differences: readonly RegistryDifference[];
}

/** Their rows checked and read; the first bad one refused as ROAM_ERR_VALIDATION naming its line and column. */
export function readTheirRows(rows: readonly TheirRegistryRow[]): TheirRow[] {
  if (rows.length > THEIR_REGISTRY_ROWS_MAX) {
    throw new RoamError('ROAM_ERR_VALIDATION', { field: 'file', reason: 'too_many_rows', line: rows[THEIR_REGISTRY_ROWS_MAX]?.line_number ?? 0 });
  }
  return rows.map((row) => {
    const refuse = (field: string, reason: string, value: string) => new RoamError('ROAM_ERR_VALIDATION', { field, reason, value, line: row.line_number });
    const txn_id = row.txn_id.trim();
    if (txn_id === '') throw refuse('txn_id', 'empty', txn_id);
    if (!TXN_ID_PATTERN.test(txn_id)) throw refuse('txn_id', 'format', txn_id);
    const sum = row.sum.trim();
    if (sum === '') throw refuse('sum', 'empty', sum);
    const sum_minor = parseOsmpSum(/^\d+,\d{1,2}$/.test(sum) ? sum.replace(',', '.') : sum);
    if (sum_minor === undefined || sum_minor === 0) throw refuse('sum', 'format', sum);
    const account = emptyToUndefined(row.account);
    if (account !== undefined && !/\d/.test(account)) throw refuse('account', 'format', account);
    return { line_number: row.line_number, txn_id, sum_minor, account, txn_date: emptyToUndefined(row.txn_date) };
  });
}

function emptyToUndefined(text: string | undefined): string | undefined {
  const trimmed = text?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

/**
 * Their registry for the day against ours: every txn_id on one side and not the other, every sum,
 * number or date that differs, and for a txn_id of theirs missing from our day, whether we know it
 * at all — paid on another day, refused, or still being carried out. Their file is checked whole
 * first; a bad row refuses it (naming the line) before anything is compared.
 */
export async function reconcileRegistry(
  database: Database, partner: Partner, date: string, their_rows: readonly TheirRegistryRow[], now_ms: number,
): Promise<Reconciliation> {
  const theirs = readTheirRows(their_rows);
  const { registry, payments } = await readRegistry(database, partner, date, now_ms);
  const ours = new Map(registry.rows.map((row) => [row.txn_id, row]));
  const msisdn_of = new Map(payments.map((payment) => [payment.id, payment.msisdn]));
  const stored_rows = await storedRows(database.db, partner, theirs.filter((row) => !ours.has(row.txn_id)).map((row) => row.txn_id));
  const stored = new Map(stored_rows.map((row) => [row.txn_id, row]));
  const differences: RegistryDifference[] = [];
  const first_line = new Map<string, number>();
  for (const row of theirs) {
    const seen = first_line.get(row.txn_id);
    if (seen !== undefined) {
      differences.push({ kind: 'duplicate_theirs', txn_id: row.txn_id, line_number: row.line_number, prv_txn: ours.get(row.txn_id)?.prv_txn ?? null, first_line_number: seen });
      continue;
    }
    first_line.set(row.txn_id, row.line_number);
    const our_row = ours.get(row.txn_id);
    if (our_row) differences.push(...rowDifferences(row, our_row, msisdn_of.get(our_row.prv_txn) ?? ''));
    else differences.push(unlisted(partner, row, stored.get(row.txn_id)));
  }
  for (const row of registry.rows) {
    if (!first_line.has(row.txn_id)) differences.push({ kind: 'missing_theirs', txn_id: row.txn_id, line_number: null, prv_txn: row.prv_txn, ours_minor: row.sum_minor });
  }
  return { registry, rows_theirs: theirs.length, differences };
}

/** The payments with these txn_ids, whatever their state and day. */
async function storedRows(db: Executor, partner: Partner, txn_ids: readonly string[]): Promise<StoredPayment[]> {
  const found: StoredPayment[] = [];
  for (const batch of chunks([...new Set(txn_ids)], TXN_ID_LOOKUP_BATCH)) {
    const rows = await storedPayments(db, partner).where('pp.txn_id', 'in', batch).execute();
    found.push(...rows.map(normalized));
  }
  return found;
}

/** Their row for a txn_id in our day's registry: the sum, and the number and date when they gave them. */
function rowDifferences(theirs: TheirRow, ours: RegistryRow, msisdn: string): RegistryDifference[] {
  const base = { txn_id: theirs.txn_id, line_number: theirs.line_number, prv_txn: ours.prv_txn };
  const differences: RegistryDifference[] = [];
  if (theirs.sum_minor !== ours.sum_minor) differences.push({ ...base, kind: 'sum_differs', ours_minor: ours.sum_minor, theirs_minor: theirs.sum_minor });
  if (theirs.account !== undefined && !sameAccount(theirs.account, msisdn)) {
    differences.push({ ...base, kind: 'account_differs', ours: maskMsisdn(msisdn).replace(/^\+/, ''), theirs: theirs.account });
  }
  if (theirs.txn_date !== undefined && ours.txn_date !== null && digitsOf(theirs.txn_date) !== digitsOf(ours.txn_date)) {
    differences.push({ ...base, kind: 'txn_date_differs', ours: ours.txn_date, theirs: theirs.txn_date });
  }
  return differences;
}

/** Their txn_id not in our day's registry: unknown, paid on another day, or not paid. */
function unlisted(partner: Partner, theirs: TheirRow, stored: StoredPayment | undefined): RegistryDifference {
  const base = { txn_id: theirs.txn_id, line_number: theirs.line_number };
  if (!stored) return { ...base, prv_txn: null, kind: 'missing_ours', theirs_minor: theirs.sum_minor };
  if (stored.state !== 'paid') return { ...base, prv_txn: stored.id, kind: 'not_paid', state: stored.state, reason: stored.reason, theirs_minor: theirs.sum_minor };
  return {
    ...base, prv_txn: stored.id, kind: 'other_day', our_date: localDateText(stored.paid_at_ms ?? 0, partner.time_zone),
    ours_minor: stored.sum_minor, theirs_minor: theirs.sum_minor,
  };
}

/**
 * Whether their account names our number. A full number (any notation a till sends, with spaces,
 * brackets or dashes) must be the same number; a masked one ("7900***4567", "+7 900 ***-**-67") is
 * compared on the digits after its mask, at most the last four — all a masked registry shows.
 */
function sameAccount(theirs: string, msisdn: string): boolean {
  const compact = theirs.replace(/[\s()-]/g, '');
  if (/^\+?\d+$/.test(compact)) {
    const parsed = accountToMsisdn(compact);
    return parsed.ok && parsed.msisdn === msisdn;
  }
  const visible = (/(\d+)$/.exec(compact)?.[1] ?? '').slice(-4);
  return visible === '' || msisdn.endsWith(visible);
}

function digitsOf(text: string): string {
  return text.replace(/\D/g, '');
}
