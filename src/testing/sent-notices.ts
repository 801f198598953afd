import assert from 'node:assert/strict';
import type { Database } from '../db/database.js';
import type { NoticeCause } from '../db/schema.js';
import { deriveAuthKeys, unsealText } from '../services/customers/auth-crypto.js';

/** What notice tests read back: a line's notices and their SMS, decoded as the sms.send handler does. */

export const NOTICE_TEST_AUTH_SECRET = 'notices-test-auth-secret-0123456789abcdef';

export interface SentNotice {
  readonly cause: NoticeCause;
  readonly dedupe_key: string;
  readonly status: string;
  readonly language: string;
  readonly to_msisdn: string | null;
  /** The SMS text as the sms.send handler reads it (unsealed); null for a capped notice. */
  readonly text: string | null;
  /** The SMS is dropped unsent past this instant; null: sent whenever the SMSC takes it. */
  readonly send_before_ms: number | null;
}

interface SmsPayload { to_msisdn: string; text_sealed: string; send_before_ms: number | null }

/** A line's notices, oldest first, with their SMS decoded the way the sms.send handler does. */
export async function noticesOf(database: Database, line_id: string, auth_secret = NOTICE_TEST_AUTH_SECRET): Promise<SentNotice[]> {
  const rows = await database.db.selectFrom('notices').leftJoin('jobs', 'jobs.id', 'notices.sms_job_id')
    .select(['notices.cause', 'notices.dedupe_key', 'notices.status', 'notices.language', 'jobs.payload', 'jobs.kind'])
    .where('notices.line_id', '=', line_id).orderBy('notices.created_at_ms').orderBy('notices.id').execute();
  const keys = deriveAuthKeys(auth_secret);
  return rows.map((row) => {
    const payload = row.payload === null ? null : JSON.parse(row.payload) as SmsPayload;
    if (payload) assert.equal(row.kind, 'sms.send');
    return {
      cause: row.cause, dedupe_key: row.dedupe_key, status: row.status, language: row.language,
      to_msisdn: payload?.to_msisdn ?? null, text: payload ? unsealText(keys, payload.text_sealed) ?? null : null,
      send_before_ms: payload?.send_before_ms ?? null,
    };
  });
}
