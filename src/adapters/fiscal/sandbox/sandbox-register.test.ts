import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ManualClock } from '../../../ports/clock.js';
import type { FiscalResult } from '../../../ports/fiscal-register.js';
import { describeEachDatabase } from '../../../testing/databases.js';
import { saleRequest } from '../kit/register-testing.js';
import { fiscalSign, SandboxRegister, SANDBOX_FN_NUMBER, shiftNumberAt } from './sandbox-register.js';

/**
 * What is the sandbox's own: test documents that cannot pass for fiscal ones, numbers in order
 * without gaps or doubles under concurrency, shifts by the Moscow day, and books that outlive the
 * process. What every register must do is the contract's (kit/register-contract.ts).
 */

/** 11:00 in Moscow on 15 January 2026. */
const START_MS = Date.UTC(2026, 0, 15, 8, 0);
const DELAY_MS = 5_000;

type Registered = Extract<FiscalResult, { status: 'registered' }>;

function registered(result: FiscalResult): Registered {
  assert.equal(result.status, 'registered', JSON.stringify(result));
  assert.ok(result.status === 'registered');
  return result;
}

describeEachDatabase('sandbox fiscal register', (t) => {
  it('keeps a document pending for its delay, then reports it made: a test document on a 9999 drive, its sign an HMAC of it', async () => {
    const clock = new ManualClock(START_MS);
    const sandbox = new SandboxRegister({ database: t.database, clock, delay_ms: DELAY_MS });
    const request = saleRequest(19_000);
    const pending = await sandbox.register(request);
    assert.equal(pending.status, 'pending');
    assert.ok(pending.status === 'pending');
    clock.advance(DELAY_MS - 1);
    assert.deepEqual(await sandbox.report(pending.uuid), pending);
    clock.advance(1);
    const { attributes, is_test, uuid } = registered(await sandbox.report(pending.uuid));
    assert.equal(uuid, pending.uuid);
    assert.equal(is_test, true);
    assert.equal(attributes.fn_number, SANDBOX_FN_NUMBER);
    assert.match(attributes.fn_number, /^9999\d{12}$/);
    assert.equal(attributes.receipt_datetime_ms, START_MS + DELAY_MS);
    assert.equal(attributes.fiscal_document_attribute, fiscalSign(attributes.fiscal_document_number, attributes.receipt_datetime_ms, 19_000, 'sell'));
    assert.equal(attributes.shift_number, shiftNumberAt(START_MS));
  });

  it('keeps its promise across a restart: a new process answers the same document, and numbers go on', async () => {
    const clock = new ManualClock(START_MS);
    const request = saleRequest();
    const first = registered(await new SandboxRegister({ database: t.database, clock, delay_ms: 0 }).register(request));
    const restarted = new SandboxRegister({ database: t.database, clock, delay_ms: 0 });
    assert.deepEqual(await restarted.register(request), first);
    const next = registered(await restarted.register(saleRequest()));
    assert.equal(next.attributes.fiscal_document_number, first.attributes.fiscal_document_number + 1);
  });

  it('numbers twenty documents made at once 1 apart, each once, and makes one of twenty repeats', async () => {
    const sandbox = new SandboxRegister({ database: t.database, clock: new ManualClock(START_MS), delay_ms: 0 });
    const results = await Promise.all(Array.from({ length: 20 }, () => sandbox.register(saleRequest())));
    const numbers = results.map((result) => registered(result).attributes.fiscal_document_number).sort((a, b) => a - b);
    assert.deepEqual(numbers, numbers.map((_, index) => numbers[0]! + index), 'consecutive, no gap, no double');
    const receipts = results.map((result) => registered(result).attributes.fiscal_receipt_number);
    assert.equal(new Set(receipts).size, 20, 'one receipt number each within the shift');

    const repeated = saleRequest();
    const repeats = await Promise.all(Array.from({ length: 20 }, () => sandbox.register(repeated)));
    assert.equal(new Set(repeats.map((result) => registered(result).uuid)).size, 1);
    const { count } = await t.database.db.selectFrom('fiscal_sandbox_documents').select((eb) => eb.fn.countAll<number>().as('count')).where('external_id', '=', repeated.external_id).executeTakeFirstOrThrow();
    assert.equal(Number(count), 1);
  });

  it('opens a shift each Moscow day: receipts numbered from 1 again after midnight in Moscow (21:00 UTC)', async () => {
    const clock = new ManualClock(Date.UTC(2026, 1, 1, 20, 58));
    const sandbox = new SandboxRegister({ database: t.database, clock, delay_ms: 0 });
    const before_midnight = registered(await sandbox.register(saleRequest())).attributes;
    clock.advance(3 * 60_000);
    const after_midnight = registered(await sandbox.register(saleRequest())).attributes;
    assert.equal(after_midnight.shift_number, before_midnight.shift_number + 1);
    assert.equal(after_midnight.fiscal_receipt_number, 1);
    assert.equal(shiftNumberAt(Date.UTC(2025, 0, 1, 0, 0)), 1);
    assert.equal(shiftNumberAt(Date.UTC(2026, 0, 15, 11, 0)), 380);
  });

  it('refuses what a register refuses (final, nothing made), and a uuid it never made', async () => {
    const sandbox = new SandboxRegister({ database: t.database, clock: new ManualClock(START_MS), delay_ms: 0 });
    const refused = await sandbox.register(saleRequest(19_000, { client: { phone: '8 900 123-45-67' } }));
    assert.ok(refused.status === 'failed', JSON.stringify(refused));
    assert.deepEqual([refused.kind, refused.error.type], ['final', 'agent']);
    assert.match(refused.error.text, /client\.phone/);
    const unknown = await sandbox.report('00000000-0000-4000-8000-000000000000');
    assert.ok(unknown.status === 'failed');
    assert.deepEqual([unknown.kind, unknown.error.code], ['final', 'not_found']);
  });
});
