import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fiscalQrText } from '../../../core/fiscal-qr.js';
import type { FiscalAttributes, FiscalRegister, FiscalRequest, FiscalResult } from '../../../ports/fiscal-register.js';
import { refundRequest, saleRequest } from './register-testing.js';

/**
 * One contract, every fiscal adapter (as the payment providers' kit/provider-contract.ts): the same
 * cases run against the sandbox register on each database and against ATOL's local fake. An adapter
 * takes part through a driver (`<name>-contract-driver.ts`) that tells the suite how to make its
 * register print, lose an answer and go down. A case an adapter cannot play says why.
 *
 * Cases: a sale registered (attributes, the total to the kopeck, a QR code); amounts exact; a repeat
 * and ten concurrent repeats make one document; a refund and a correction; numbers go up; refused
 * data fails final and makes nothing; a reused external_id is refused; a lost answer is asked again
 * and finds the one document; an outage fails retryable and makes nothing.
 */

/** A case the adapter cannot play, and why. */
export interface DoesNotApply {
  readonly does_not_apply: string;
}

export interface RegisterDriver {
  readonly label: string;
  /** What its registered documents say of themselves. */
  readonly is_test: boolean;
  /** Starts the fake (or opens the books) and returns the register under test, wired to it. */
  start(): Promise<FiscalRegister>;
  stop(): Promise<void>;
  /** How many documents the register holds. */
  documentCount(): Promise<number>;
  /** The register makes every document that waits. */
  printAll(): Promise<void>;
  readonly lost_answer: DoesNotApply | {
    /** The register's next answer is lost after it did the work; returns the register to call (a short timeout). */
    loseNextAnswer(): Promise<FiscalRegister>;
  };
  readonly outage: DoesNotApply | {
    /** The register fails (5xx) every attempt of the next call, before doing anything. */
    goDown(): Promise<void>;
  };
}

function applies<T extends object>(support: T | DoesNotApply): support is T {
  return !('does_not_apply' in support);
}

export function registerContract(driver: RegisterDriver): void {
  describe(`fiscal register contract: ${driver.label}`, () => {
    let register: FiscalRegister;
    before(async () => {
      register = await driver.start();
    });
    after(() => driver.stop());

    /** The document made: registered at once, or pending until the register prints it. */
    async function registered(request: FiscalRequest): Promise<Extract<FiscalResult, { status: 'registered' }>> {
      const first = await register.register(request);
      assert.ok(first.status === 'registered' || first.status === 'pending', JSON.stringify(first));
      if (first.status === 'registered') return first;
      await driver.printAll();
      const done = await register.report(first.uuid);
      assert.equal(done.status, 'registered', JSON.stringify(done));
      assert.ok(done.status === 'registered');
      assert.equal(done.uuid, first.uuid);
      return done;
    }

    function assertAttributes(attributes: FiscalAttributes, total_minor: number): void {
      assert.match(attributes.fn_number, /^\d{16}$/);
      assert.match(attributes.ecr_registration_number, /^\d{16}$/);
      for (const field of ['fiscal_document_number', 'shift_number', 'fiscal_receipt_number'] as const) {
        assert.ok(Number.isSafeInteger(attributes[field]) && attributes[field] > 0, `${field} ${attributes[field]}`);
      }
      assert.ok(Number.isInteger(attributes.fiscal_document_attribute) && attributes.fiscal_document_attribute <= 4_294_967_295);
      assert.ok(Number.isSafeInteger(attributes.receipt_datetime_ms));
      assert.equal(attributes.total_minor, total_minor);
    }

    it(`sale: registered with a receipt's attributes, the total to the kopeck, a QR code (is_test: ${driver.is_test})`, async () => {
      const request = saleRequest(19_000);
      const { attributes, is_test } = await registered(request);
      assertAttributes(attributes, 19_000);
      assert.equal(is_test, driver.is_test);
      assert.match(fiscalQrText(attributes, 'sell'), new RegExp(`^t=\\d{8}T\\d{4}&s=190\\.00&fn=${attributes.fn_number}&i=${attributes.fiscal_document_number}&fp=${attributes.fiscal_document_attribute}&n=1$`));
    });

    it('amounts: one kopeck and 14 999.99 ₽ come back exactly', async () => {
      for (const total_minor of [1, 1_499_999]) assertAttributes((await registered(saleRequest(total_minor))).attributes, total_minor);
    });

    it('repeat: the same external_id again is the same document, never a second', async () => {
      const count_before = await driver.documentCount();
      const request = saleRequest();
      const first = await register.register(request);
      assert.ok(first.status !== 'failed', JSON.stringify(first));
      const again = await register.register(request);
      assert.ok(again.status !== 'failed', JSON.stringify(again));
      assert.equal(again.uuid, first.uuid);
      await driver.printAll();
      const after_print = await register.register(request);
      assert.ok(after_print.status !== 'failed', JSON.stringify(after_print));
      assert.equal(after_print.uuid, first.uuid);
      assert.equal(await driver.documentCount(), count_before + 1);
    });

    it('repeat: ten at once make one document', async () => {
      const count_before = await driver.documentCount();
      const request = saleRequest();
      const results = await Promise.all(Array.from({ length: 10 }, () => register.register(request)));
      const uuids = new Set(results.map((result) => (result.status === 'failed' ? `failed: ${result.error.text}` : result.uuid)));
      assert.equal(uuids.size, 1, [...uuids].join(', '));
      assert.equal(await driver.documentCount(), count_before + 1);
    });

    it('refund and correction: each its own document, the refund\'s QR code n=2', async () => {
      const sale = saleRequest();
      const refund = await registered(refundRequest(sale));
      assertAttributes(refund.attributes, sale.total_minor);
      assert.match(fiscalQrText(refund.attributes, 'sell_refund'), /&n=2$/);
      const correction = await registered(saleRequest(50_000, {
        operation: 'sell_correction',
        correction: { type: 'self', base_document: { date_ms: sale.time_ms - 86_400_000 }, reason: 'a desk sale the register was down for' },
      }));
      assertAttributes(correction.attributes, 50_000);
      assert.notEqual(correction.uuid, refund.uuid);
    });

    it('numbers: a later document has a later fiscal document number', async () => {
      const first = await registered(saleRequest());
      const second = await registered(saleRequest());
      assert.ok(second.attributes.fiscal_document_number > first.attributes.fiscal_document_number, `${second.attributes.fiscal_document_number} after ${first.attributes.fiscal_document_number}`);
    });

    it('refused data: a client e-mail that is not one fails final with the register\'s words and makes nothing; corrected, it registers', async () => {
      const count_before = await driver.documentCount();
      const request = saleRequest(19_000, { client: { email: 'not-an-address' } });
      const refused = await register.register(request);
      assert.equal(refused.status, 'failed', JSON.stringify(refused));
      assert.ok(refused.status === 'failed');
      assert.equal(refused.kind, 'final');
      assert.match(refused.error.text, /\S{3,}/);
      assert.equal(await driver.documentCount(), count_before);
      assertAttributes((await registered({ ...request, client: { email: 'traveller@example.com' } })).attributes, 19_000);
    });

    it('reused external_id: another document under an id already used is refused, final, and makes nothing', async () => {
      const first = saleRequest(19_000);
      const made = await registered(first);
      const count_before = await driver.documentCount();
      const other = saleRequest(29_000, { external_id: first.external_id });
      const refused = await register.register(other);
      assert.equal(refused.status, 'failed', JSON.stringify(refused));
      assert.ok(refused.status === 'failed');
      assert.deepEqual([refused.kind, refused.error.code], ['final', 'external_id_reused']);
      assert.equal(await driver.documentCount(), count_before);
      assert.equal((await register.report(made.uuid)).status, 'registered');
    });

    const lost_answer = driver.lost_answer;
    if (applies(lost_answer)) {
      it('lost answer: asked again under the same external_id, the one document made is found', async () => {
        const count_before = await driver.documentCount();
        const request = saleRequest();
        const impatient = await lost_answer.loseNextAnswer();
        const first = await impatient.register(request);
        assert.ok(first.status !== 'failed' || first.kind === 'retryable', JSON.stringify(first));
        const again = await registered(request);
        if (first.status !== 'failed') assert.equal(again.uuid, first.uuid);
        assert.equal(await driver.documentCount(), count_before + 1, 'the register acted once, though its answer was lost');
      });
    } else {
      doesNotApply('lost answer', lost_answer);
    }

    const outage = driver.outage;
    if (applies(outage)) {
      it('outage: the register down fails retryable and makes nothing; asked again later, it registers once', async () => {
        const count_before = await driver.documentCount();
        const request = saleRequest();
        await outage.goDown();
        const down = await register.register(request);
        assert.equal(down.status, 'failed', JSON.stringify(down));
        assert.ok(down.status === 'failed');
        assert.equal(down.kind, 'retryable');
        assert.equal(await driver.documentCount(), count_before);
        await registered(request);
        assert.equal(await driver.documentCount(), count_before + 1);
      });
    } else {
      doesNotApply('outage', outage);
    }

    function doesNotApply(cases: string, support: DoesNotApply): void {
      it(`${cases}: does not apply — ${support.does_not_apply}`, () => {
        assert.match(support.does_not_apply, /\S.{20,}/, 'a driver says why a case does not apply, in a sentence');
      });
    }
  });
}
