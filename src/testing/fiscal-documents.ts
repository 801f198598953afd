import assert from 'node:assert/strict';
import type { AppContext } from '../app/context.js';
import { loadConfig } from '../config.js';
import type { ManualClock } from '../ports/clock.js';
import type { FiscalRegister } from '../ports/fiscal-register.js';
import { FISCAL_POLL_DELAY_MS_FIRST, FiscalService, type FiscalDocument } from '../services/fiscal/fiscal-service.js';
import type { TestDatabase } from './databases.js';
import { drainUntilIdle } from './waiting.js';

/** The fiscal documents' tests' shared steps, over the sandbox register's own books. */

const MOSCOW_OFFSET_MS = 3 * 3_600_000;

/** Runs the outbox until the fiscal documents have had time to be made (the register's delay, then the next ask). */
export async function settleFiscal(context: AppContext, clock: ManualClock, sandbox_delay_ms: number): Promise<void> {
  const worker = context.createWorker();
  await drainUntilIdle(worker);
  // A document the register has not made yet, or a refund whose sale it has not made, is asked about again later.
  for (let round = 0; round < 3; round += 1) {
    clock.advance(sandbox_delay_ms + FISCAL_POLL_DELAY_MS_FIRST * 8);
    await drainUntilIdle(worker);
  }
}

/** A fiscal service of the default test configuration over another register (a stub, a losing one). */
export function fiscalOver(t: TestDatabase, clock: ManualClock, register: FiscalRegister | undefined): FiscalService {
  const config = loadConfig({});
  const settings = config.fiscal.register === undefined || register === undefined ? undefined : config.fiscal;
  return new FiscalService({ database: t.database, clock, register, settings, seller: config.seller });
}

/** How many documents the sandbox register made for one external_id (never more than one). */
export async function sandboxDocuments(t: TestDatabase, external_id: string): Promise<number> {
  return (await t.database.db.selectFrom('fiscal_sandbox_documents').select('uuid').where('external_id', '=', external_id).execute()).length;
}

/** The QR text, against the register's own record of the document (not through fiscalQrText): Moscow time, roubles, n. */
export async function assertQrMatchesRegister(t: TestDatabase, document: FiscalDocument, n: 1 | 2): Promise<void> {
  const made = await t.database.db.selectFrom('fiscal_sandbox_documents').selectAll().where('external_id', '=', document.id).executeTakeFirstOrThrow();
  const moscow = new Date(Number(made.receipt_datetime_ms) + MOSCOW_OFFSET_MS).toISOString();
  const t_text = `${moscow.slice(0, 4)}${moscow.slice(5, 7)}${moscow.slice(8, 10)}T${moscow.slice(11, 13)}${moscow.slice(14, 16)}`;
  const s_text = `${Math.floor(Number(made.total_minor) / 100)}.${String(Number(made.total_minor) % 100).padStart(2, '0')}`;
  assert.equal(document.qr_text, `t=${t_text}&s=${s_text}&fn=${made.fn_number}&i=${made.fiscal_document_number}&fp=${made.fiscal_document_attribute}&n=${n}`);
  assert.equal(made.fn_number, '9999000000000001');
  assert.equal(document.fn_number, made.fn_number);
  assert.equal(Number(document.fiscal_document_number), Number(made.fiscal_document_number));
  assert.equal(document.is_test, 1);
}
