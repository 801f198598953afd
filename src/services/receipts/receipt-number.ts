import { sql } from 'kysely';
import type { Executor } from '../../db/transaction.js';

/**
 * Receipt numbers: `RC-<year>-<sequence>`, e.g. RC-2026-000123, one series per year with no gaps.
 *
 * The sequence comes from a counter row per year, incremented by an upsert in the same transaction
 * that inserts the receipt. So a number is taken only if its receipt commits (a rollback returns
 * it: no gaps), and on PostgreSQL the row lock the upsert takes makes the next issuer wait until
 * this one commits (no duplicates, numbers in commit order). On SQLite the transaction already holds
 * the database's one write lock. The price is that receipt issuing is serialised on that row, so
 * it runs in its own short transaction in the outbox worker, never in the payment's.
 */

export const RECEIPT_NUMBER_PREFIX = 'RC';
/** Digits the sequence is padded to; a year with more receipts simply gets longer numbers. */
export const RECEIPT_SEQUENCE_DIGITS = 6;
const RECEIPT_NUMBER_PATTERN = /^RC-(\d{4})-(\d{6,15})$/;

export function formatReceiptNumber(year: number, sequence: number): string {
  return `${RECEIPT_NUMBER_PREFIX}-${year}-${String(sequence).padStart(RECEIPT_SEQUENCE_DIGITS, '0')}`;
}

/** Reads a receipt number from a URL; undefined for anything that is not one (so no query runs). */
export function parseReceiptNumber(text: string): { year: number; sequence: number } | undefined {
  const match = RECEIPT_NUMBER_PATTERN.exec(text);
  if (!match) return undefined;
  const sequence = Number(match[2]);
  if (!Number.isSafeInteger(sequence) || sequence < 1 || formatReceiptNumber(Number(match[1]), sequence) !== text) return undefined;
  return { year: Number(match[1]), sequence };
}

/** Year formatters by zone: building one costs ~100 µs, more than the rest of issuing a receipt. */
const yearFormats = new Map<string, Intl.DateTimeFormat>();

/** The year at `at_ms` in `time_zone`: the series a receipt issued then belongs to. */
export function yearIn(at_ms: number, time_zone: string): number {
  let format = yearFormats.get(time_zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en', { timeZone: time_zone, year: 'numeric' });
    // Zones are few (the seller's); an invalid one throws above and is never kept.
    if (yearFormats.size < 100) yearFormats.set(time_zone, format);
  }
  return Number(format.format(new Date(at_ms)));
}

/** Takes the next number of `year`'s series within the caller's transaction. */
export async function allocateReceiptSequence(trx: Executor, year: number): Promise<number> {
  const row = await trx
    .insertInto('receipt_counters')
    .values({ year, last_sequence: 1 })
    .onConflict((conflict) => conflict.column('year').doUpdateSet({ last_sequence: sql<number>`receipt_counters.last_sequence + 1` }))
    .returning('last_sequence')
    .executeTakeFirstOrThrow();
  return Number(row.last_sequence);
}
