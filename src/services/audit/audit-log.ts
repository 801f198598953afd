import { newId } from '../../core/ids.js';
import { maskPersonalDataInText, redactedField } from '../../core/redaction.js';
import type { AuditLogTable } from '../../db/schema.js';
import type { Executor } from '../../db/transaction.js';
import type { StaffActor } from '../staff/staff-actor.js';

/**
 * The audit log: every staff action, written in the transaction of the action itself (so an
 * action and its entry commit or roll back together), append-only (the table's triggers refuse
 * UPDATE and DELETE). What a record looked like before and after is kept without secrets or
 * personal data: field names that hold them (passwords, tokens, document numbers, names, ICCIDs,
 * phone numbers — core/redaction.ts) are replaced whole, and phone numbers, ICCIDs and codes in
 * any other text are masked. Document numbers must never be handed over in clear in the first
 * place; this is the second net.
 */

export interface AuditEntryInput {
  /** Null when the system acts on its own (a job, a deadline passing). */
  readonly actor: StaffActor | null;
  readonly action: string;
  readonly subject_type: string;
  readonly subject_id?: string | null;
  /** The store the action concerns, when it is not the actor's own (an admin acting elsewhere). */
  readonly store_id?: string | null;
  readonly client_address?: string | null;
  readonly before?: unknown;
  readonly after?: unknown;
}

/** Bounds on what one entry keeps: nested records deeper than this are cut, long texts shortened. */
export const AUDIT_DEPTH_MAX = 6;
export const AUDIT_TEXT_LENGTH_MAX = 2_000;
export const AUDIT_LIST_LIMIT_MAX = 200;

export async function recordAudit(trx: Executor, entry: AuditEntryInput, now_ms: number): Promise<string> {
  const id = newId('audit_entry');
  await trx.insertInto('audit_log').values({
    id, at_ms: now_ms,
    staff_id: entry.actor?.staff_id ?? null, staff_login: entry.actor?.login ?? null, staff_role: entry.actor?.role ?? null,
    store_id: entry.store_id ?? entry.actor?.store_id ?? null,
    action: entry.action, subject_type: entry.subject_type, subject_id: entry.subject_id ?? null,
    client_address: entry.client_address ?? null,
    before_json: entry.before === undefined ? null : JSON.stringify(sanitized(entry.before)),
    after_json: entry.after === undefined ? null : JSON.stringify(sanitized(entry.after)),
  }).execute();
  return id;
}

export interface AuditQuery {
  readonly store_id?: string;
  readonly subject?: { readonly type: string; readonly id: string };
  /** Entries strictly before this instant (paging back), newest first. */
  readonly before_ms?: number;
  readonly limit: number;
}

/** Entries newest first. Who may read which store's entries is the caller's decision (managesStore). */
export async function listAudit(db: Executor, query: AuditQuery): Promise<AuditLogTable[]> {
  let select = db.selectFrom('audit_log').selectAll()
    .orderBy('at_ms', 'desc').orderBy('id', 'desc')
    .limit(Math.min(Math.max(query.limit, 1), AUDIT_LIST_LIMIT_MAX));
  if (query.store_id !== undefined) select = select.where('store_id', '=', query.store_id);
  if (query.subject !== undefined) select = select.where('subject_type', '=', query.subject.type).where('subject_id', '=', query.subject.id);
  if (query.before_ms !== undefined) select = select.where('at_ms', '<', query.before_ms);
  return (await select.execute()).map((row) => ({ ...row, at_ms: Number(row.at_ms) }));
}

/** A copy without secrets or personal data, bounded in depth and text length. */
export function sanitized(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return maskPersonalDataInText(value.slice(0, AUDIT_TEXT_LENGTH_MAX));
  if (value === null || typeof value !== 'object') return value;
  if (depth >= AUDIT_DEPTH_MAX) return '[cut]';
  if (Array.isArray(value)) return value.map((item) => sanitized(item, depth + 1));
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([name, field]) =>
    [name, redactedField(name, field) ?? sanitized(field, depth + 1)]));
}
