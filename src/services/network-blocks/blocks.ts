import { RoamError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import {
  blockInForceAt, BLOCK_DURATION_HOURS_MAX, BLOCK_DURATION_MS_MAX, isBlockReason, stoppedKinds, type BlockReason,
} from '../../core/network-blocks.js';
import { parseMsisdn } from '../../core/phone.js';
import { isUsageKind, type UsageKind } from '../../core/units.js';
import { lockingRows, lockLines } from '../../db/locks.js';
import type { NetworkBlocksTable } from '../../db/schema.js';
import type { Executor } from '../../db/transaction.js';
import type { StoredEffect } from '../idempotency/idempotency.js';

/**
 * The network blocks of a line: set, lift, list (the network API's use cases, in a transaction the
 * caller owns). A block never changes but for its lift, and is never deleted.
 */

/** A block as the services and channels see it: the kinds as a list, and whether it is in force now. */
export interface NetworkBlock {
  readonly id: string;
  readonly line_id: string;
  readonly reason: BlockReason;
  readonly kinds: readonly UsageKind[];
  readonly starts_at_ms: number;
  readonly ends_at_ms: number;
  readonly lifted_at_ms: number | null;
  readonly set_by: string;
  readonly lifted_by: string | null;
  readonly created_at_ms: number;
  /** Stops usage at the instant it was read. */
  readonly in_force: boolean;
}

/** Who set or lifted a block: a short identifier of a system or a desk ("network", "captcha", "call-centre"). */
export const ACTOR_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;
export const DEFAULT_ACTOR = 'network';
/** A line's history is listed newest first, this many at most (a traveller gets a few a year). */
export const BLOCKS_LISTED_MAX = 50;

export interface SetBlockInput {
  readonly msisdn: string;
  readonly reason: string;
  readonly kinds: readonly string[];
  readonly ends_at_ms: number;
  /** Defaults to now; may be earlier (the network paused the SIM a moment ago), never after the end. */
  readonly starts_at_ms?: number | undefined;
  readonly set_by?: string | undefined;
}

/** The request as it is hashed for idempotency: what was asked, before "now" fills the gaps. */
export function setBlockRequest(input: SetBlockInput) {
  return {
    msisdn: input.msisdn.trim(), reason: input.reason, kinds: [...new Set(input.kinds)].sort(),
    ends_at_ms: input.ends_at_ms, starts_at_ms: input.starts_at_ms, set_by: input.set_by ?? DEFAULT_ACTOR,
  };
}

/** The earlier block made with this idempotency key, if any. */
export async function findBlockByKey(trx: Executor, key: string, now_ms: number): Promise<StoredEffect<NetworkBlock> | undefined> {
  const row = await trx.selectFrom('network_blocks').selectAll().where('idempotency_key', '=', key).executeTakeFirst();
  return row ? { request_hash: row.request_hash, result: toBlock(row, now_ms) } : undefined;
}

/** Checks the input (the error names the field), finds the line, and stores the block with its key and hash. */
export async function insertBlock(
  trx: Executor,
  input: SetBlockInput,
  key: { idempotency_key: string; request_hash: string },
  now_ms: number,
): Promise<NetworkBlock> {
  const checked = checkBlockInput(input, now_ms);
  const msisdn = parseMsisdn(input.msisdn);
  if (!msisdn.ok) throw new RoamError('ROAM_ERR_MSISDN_INVALID', { field: 'msisdn', reason: msisdn.problem });
  const line = await trx.selectFrom('lines').select('id').where('msisdn', '=', msisdn.msisdn).executeTakeFirst();
  if (!line) throw new RoamError('ROAM_ERR_LINE_NOT_FOUND');
  // Under the line's lock, as charging is: a charge in flight finishes before the block exists, or sees it.
  await lockLines(trx, [line.id]);
  const row: NetworkBlocksTable = {
    id: newId('network_block'), line_id: line.id, reason: checked.reason,
    stops_data: checked.kinds.has('data') ? 1 : 0, stops_voice: checked.kinds.has('voice') ? 1 : 0, stops_sms: checked.kinds.has('sms') ? 1 : 0,
    starts_at_ms: checked.starts_at_ms, ends_at_ms: input.ends_at_ms, lifted_at_ms: null,
    set_by: checked.set_by, lifted_by: null, idempotency_key: key.idempotency_key, request_hash: key.request_hash, created_at_ms: now_ms,
  };
  await trx.insertInto('network_blocks').values(row).execute();
  return toBlock(row, now_ms);
}

function checkBlockInput(input: SetBlockInput, now_ms: number) {
  if (!isBlockReason(input.reason)) throw new RoamError('ROAM_ERR_VALIDATION', { field: 'reason', reason: 'invalid_value', value: input.reason });
  const kinds = new Set(input.kinds);
  if (kinds.size === 0) throw new RoamError('ROAM_ERR_VALIDATION', { field: 'kinds', reason: 'empty' });
  for (const kind of kinds) {
    if (!isUsageKind(kind)) throw new RoamError('ROAM_ERR_VALIDATION', { field: 'kinds', reason: 'unknown_kind', value: kind });
  }
  const set_by = input.set_by ?? DEFAULT_ACTOR;
  if (!ACTOR_PATTERN.test(set_by)) throw new RoamError('ROAM_ERR_VALIDATION', { field: 'set_by', reason: 'format' });
  const starts_at_ms = input.starts_at_ms ?? now_ms;
  if (!Number.isSafeInteger(input.ends_at_ms) || input.ends_at_ms <= now_ms) {
    throw new RoamError('ROAM_ERR_BLOCK_END_INVALID', { field: 'ends_at', reason: 'in_past' });
  }
  if (!Number.isSafeInteger(starts_at_ms) || starts_at_ms >= input.ends_at_ms) {
    throw new RoamError('ROAM_ERR_BLOCK_END_INVALID', { field: 'ends_at', reason: 'before_start' });
  }
  // Bounded from now and from its start alike: neither a far end nor a long backdated block.
  if (input.ends_at_ms - Math.min(starts_at_ms, now_ms) > BLOCK_DURATION_MS_MAX) {
    throw new RoamError('ROAM_ERR_BLOCK_END_INVALID', { field: 'ends_at', reason: 'too_far', hours_max: BLOCK_DURATION_HOURS_MAX });
  }
  return { reason: input.reason, kinds: kinds as Set<UsageKind>, set_by, starts_at_ms };
}

/**
 * Lifts a block early (a captcha link, the call centre) from now on. Lifting a block already lifted
 * or ended changes nothing and returns it as it is: the request is safe to repeat.
 */
export async function liftBlock(trx: Executor, block_id: string, lifted_by: string, now_ms: number): Promise<NetworkBlock> {
  if (!ACTOR_PATTERN.test(lifted_by)) throw new RoamError('ROAM_ERR_VALIDATION', { field: 'lifted_by', reason: 'format' });
  const row = await lockingRows(trx, trx.selectFrom('network_blocks').selectAll().where('id', '=', block_id)).executeTakeFirst();
  if (!row) throw new RoamError('ROAM_ERR_BLOCK_NOT_FOUND');
  if (row.lifted_at_ms !== null || row.ends_at_ms <= now_ms) return toBlock(row, now_ms);
  await trx.updateTable('network_blocks').set({ lifted_at_ms: now_ms, lifted_by }).where('id', '=', block_id).execute();
  return toBlock({ ...row, lifted_at_ms: now_ms, lifted_by }, now_ms);
}

/** A line's blocks, newest first (BLOCKS_LISTED_MAX at most). */
export async function listLineBlocks(
  db: Executor,
  msisdn_input: string,
  now_ms: number,
): Promise<{ line_id: string; blocks: NetworkBlock[] }> {
  const msisdn = parseMsisdn(msisdn_input);
  if (!msisdn.ok) throw new RoamError('ROAM_ERR_MSISDN_INVALID', { field: 'msisdn', reason: msisdn.problem });
  const line = await db.selectFrom('lines').select('id').where('msisdn', '=', msisdn.msisdn).executeTakeFirst();
  if (!line) throw new RoamError('ROAM_ERR_LINE_NOT_FOUND');
  const rows = await db.selectFrom('network_blocks').selectAll().where('line_id', '=', line.id)
    .orderBy('created_at_ms', 'desc').orderBy('id', 'desc').limit(BLOCKS_LISTED_MAX).execute();
  return { line_id: line.id, blocks: rows.map((row) => toBlock(row, now_ms)) };
}

export function toBlock(row: NetworkBlocksTable, now_ms: number): NetworkBlock {
  return {
    id: row.id, line_id: row.line_id, reason: row.reason, kinds: stoppedKinds(row), starts_at_ms: row.starts_at_ms,
    ends_at_ms: row.ends_at_ms, lifted_at_ms: row.lifted_at_ms, set_by: row.set_by, lifted_by: row.lifted_by,
    created_at_ms: row.created_at_ms, in_force: blockInForceAt(row, now_ms),
  };
}
