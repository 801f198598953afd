import { assert, RoamError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { assertMinor, LEDGER_CURRENCY } from '../../core/money.js';
import { lockLines, supportsRowLocks } from '../../db/locks.js';
import type { Executor } from '../../db/transaction.js';

/**
 * The double-entry journal. An entry is a list of signed postings that sum to zero; each posting
 * moves one account's cached balance in the same transaction that records it. Entries are never
 * changed or deleted: a correction is a reversing entry (one per entry, enforced by a unique key).
 */

export const POSTINGS_PER_ENTRY_MAX = 16;

export type EntryKind =
  | 'top_up' | 'package_purchase' | 'package_sale' | 'usage_charge' | 'reversal' | 'refund' | 'promotion'
  | 'shift_float' | 'shift_close';

export interface PostingInput {
  readonly account_id: string;
  /** Positive raises the account's balance, negative lowers it. */
  readonly amount_minor: number;
}

export interface EntryInput {
  readonly kind: EntryKind;
  readonly line_id: string | null;
  readonly memo: string;
  readonly postings: readonly PostingInput[];
  readonly idempotency_key?: string | null;
  readonly request_hash?: string | null;
  readonly reverses_entry_id?: string | null;
}

/** Programmer errors in an entry, naming the first bad posting (Formance style). */
export function entryProblem(postings: readonly PostingInput[]): string | null {
  if (postings.length < 2) return 'an entry needs at least two postings';
  if (postings.length > POSTINGS_PER_ENTRY_MAX) return `an entry has at most ${POSTINGS_PER_ENTRY_MAX} postings`;
  let sum = 0;
  for (const [index, posting] of postings.entries()) {
    if (!Number.isSafeInteger(posting.amount_minor) || posting.amount_minor === 0) {
      return `posting ${index} (${posting.account_id}) has amount ${posting.amount_minor}: it must be a non-zero integer`;
    }
    sum += posting.amount_minor;
  }
  if (sum !== 0) return `postings sum to ${sum}, not 0`;
  return null;
}

/**
 * Records an entry and moves the cached balances. Must run inside a transaction.
 * A wallet that would go below zero makes the whole entry fail with ROAM_ERR_INSUFFICIENT_FUNDS;
 * the CHECK constraint on ledger_accounts is the second line of defence.
 */
export async function postEntry(trx: Executor, input: EntryInput, now_ms: number): Promise<string> {
  const [entry_id] = await postEntries(trx, [input], now_ms);
  assert(entry_id !== undefined, 'postEntries returns one id per entry');
  return entry_id;
}

/** Rows per multi-row insert: far below either engine's bound-parameter limit. */
export const LEDGER_INSERT_ROWS_MAX = 500;

/**
 * Records several entries at once (a usage batch): every entry is validated and stored as its own
 * entry with its own postings, and each cached balance moves once by the entries' net — one
 * conditional statement per account instead of one per entry, so a wallet still never goes below
 * zero and the whole batch fails if one would.
 */
export async function postEntries(trx: Executor, inputs: readonly EntryInput[], now_ms: number): Promise<string[]> {
  if (inputs.length === 0) return [];
  for (const input of inputs) {
    const problem = entryProblem(input.postings);
    assert(problem === null, `journal entry ${input.kind}: ${problem}`);
  }
  const entry_ids = inputs.map(() => newId('entry'));
  const entries = inputs.map((input, index) => ({
    id: entry_ids[index]!,
    kind: input.kind,
    line_id: input.line_id,
    idempotency_key: input.idempotency_key ?? null,
    request_hash: input.request_hash ?? null,
    reverses_entry_id: input.reverses_entry_id ?? null,
    memo: input.memo,
    created_at_ms: now_ms,
  }));
  for (const chunk of chunks(entries, LEDGER_INSERT_ROWS_MAX)) await trx.insertInto('journal_entries').values(chunk).execute();

  const net = netByAccount(inputs.flatMap((input) => input.postings));
  const cached = await cachedAccounts(trx, [...net.keys()]);
  // Fixed lock order (by account id) so two writers touching the same accounts cannot deadlock.
  for (const [account_id, amount_minor] of [...net.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (amount_minor === 0 || !cached.has(account_id)) continue;
    await moveCachedBalance(trx, account_id, amount_minor);
  }
  const postings = inputs.flatMap((input, index) => input.postings.map((posting) => ({
    entry_id: entry_ids[index]!,
    account_id: posting.account_id,
    line_id: input.line_id,
    amount_minor: posting.amount_minor,
    currency: LEDGER_CURRENCY,
  })));
  for (const chunk of chunks(postings, LEDGER_INSERT_ROWS_MAX)) await trx.insertInto('postings').values(chunk).execute();
  return entry_ids;
}

export function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += size) result.push(items.slice(start, start + size));
  return result;
}

function netByAccount(postings: readonly PostingInput[]): Map<string, number> {
  const net = new Map<string, number>();
  for (const posting of postings) net.set(posting.account_id, (net.get(posting.account_id) ?? 0) + posting.amount_minor);
  return net;
}

/** Which of the accounts keep a cached balance; every account must exist. */
async function cachedAccounts(trx: Executor, account_ids: readonly string[]): Promise<Set<string>> {
  const rows = await trx.selectFrom('ledger_accounts').select(['id', 'balance_cached']).where('id', 'in', account_ids).execute();
  if (rows.length !== account_ids.length) {
    const found = new Set(rows.map((row) => row.id));
    throw new RoamError('ROAM_ERR_LEDGER_ACCOUNT_NOT_FOUND', { value: account_ids.find((id) => !found.has(id)) ?? '' });
  }
  return new Set(rows.filter((row) => row.balance_cached === 1).map((row) => row.id));
}

/** Moves a cached balance in one conditional statement: the overdraft check and the change are atomic. */
async function moveCachedBalance(trx: Executor, account_id: string, amount_minor: number): Promise<void> {
  assertMinor(amount_minor);
  const result = await trx
    .updateTable('ledger_accounts')
    .set((eb) => ({ balance_minor: eb('balance_minor', '+', amount_minor) }))
    .where('id', '=', account_id)
    .where((eb) => eb.or([eb('may_go_negative', '=', 1), eb(eb('balance_minor', '+', amount_minor), '>=', 0)]))
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 1) return;
  const account = await trx.selectFrom('ledger_accounts').select(['balance_minor']).where('id', '=', account_id).executeTakeFirstOrThrow();
  throw new RoamError('ROAM_ERR_INSUFFICIENT_FUNDS', { needed_minor: -amount_minor, available_minor: account.balance_minor });
}

/**
 * Posts the mirror image of an entry. Reversing a top-up whose money was already spent fails with
 * ROAM_ERR_INSUFFICIENT_FUNDS: a wallet never goes below zero, not even by correction.
 */
export async function reverseEntry(trx: Executor, entry_id: string, memo: string, now_ms: number): Promise<string> {
  const entry = await trx.selectFrom('journal_entries').selectAll().where('id', '=', entry_id).executeTakeFirst();
  if (!entry) throw new RoamError('ROAM_ERR_ENTRY_NOT_FOUND', { value: entry_id });
  // PostgreSQL: take the line's lock first, like every other change to a line's money (a charge plans
  // against the wallet it read under that lock; a reversal must not take the money away before the
  // charge writes), then the entry's row, so concurrent reversals of one entry queue here and the
  // later ones see the first and are refused, instead of colliding on the unique key.
  if (entry.line_id) await lockLines(trx, [entry.line_id]);
  if (supportsRowLocks(trx)) await trx.selectFrom('journal_entries').select('id').where('id', '=', entry_id).forUpdate().execute();
  const already = await trx.selectFrom('journal_entries').select('id').where('reverses_entry_id', '=', entry_id).executeTakeFirst();
  if (already) throw new RoamError('ROAM_ERR_ENTRY_ALREADY_REVERSED', { value: entry_id });
  const postings = await trx.selectFrom('postings').select(['account_id', 'amount_minor']).where('entry_id', '=', entry_id).orderBy('id').execute();
  return postEntry(
    trx,
    {
      kind: 'reversal',
      line_id: entry.line_id,
      memo,
      reverses_entry_id: entry_id,
      postings: postings.map((posting) => ({ account_id: posting.account_id, amount_minor: -posting.amount_minor })),
    },
    now_ms,
  );
}

/** An account's balance: the cached figure for wallets, the sum of postings for the others. */
export async function accountBalance(trx: Executor, account_id: string): Promise<number> {
  const account = await trx.selectFrom('ledger_accounts').select(['balance_minor', 'balance_cached']).where('id', '=', account_id).executeTakeFirst();
  if (!account) throw new RoamError('ROAM_ERR_LEDGER_ACCOUNT_NOT_FOUND', { value: account_id });
  if (account.balance_cached === 1) return account.balance_minor;
  const sum = await trx
    .selectFrom('postings')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('amount_minor'), eb.lit(0)).as('total'))
    .where('account_id', '=', account_id)
    .executeTakeFirstOrThrow();
  return Number(sum.total);
}
