import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fiscalQrText, type FiscalQrFields } from './fiscal-qr.js';
import { instantOfWallClock, wallClockAt } from './time-zone.js';

/** The example of protocols/fiscal-54fz.md: printed at 14:23:45 Moscow time (11:23:45 UTC) on 15 January 2026. */
const SALE: FiscalQrFields = {
  receipt_datetime_ms: Date.UTC(2026, 0, 15, 11, 23, 45),
  total_minor: 19_000,
  fn_number: '7380440700076549',
  fiscal_document_number: 12_345,
  fiscal_document_attribute: 2_729_614_457,
};

describe('fiscal receipt QR code text', () => {
  it('a sale: the tax service\'s format, the time on the register\'s Moscow clock, minutes not rounded', () => {
    assert.equal(fiscalQrText(SALE, 'sell'), 't=20260115T1423&s=190.00&fn=7380440700076549&i=12345&fp=2729614457&n=1');
  });

  it('a refund of a sale is n=2; a sale\'s correction is a sale, n=1', () => {
    const refund = { ...SALE, total_minor: 1, fiscal_document_number: 12_346 };
    assert.equal(fiscalQrText(refund, 'sell_refund'), 't=20260115T1423&s=0.01&fn=7380440700076549&i=12346&fp=2729614457&n=2');
    assert.match(fiscalQrText(SALE, 'sell_correction'), /&n=1$/);
  });

  it('takes the date from the register\'s clock: 21:30 UTC is already the next day in Moscow', () => {
    const late = { ...SALE, receipt_datetime_ms: Date.UTC(2026, 0, 14, 21, 30, 0), total_minor: 1_499_999 };
    assert.equal(fiscalQrText(late, 'sell'), 't=20260115T0030&s=14999.99&fn=7380440700076549&i=12345&fp=2729614457&n=1');
    // A register running elsewhere passes its own zone.
    assert.match(fiscalQrText(late, 'sell', 'Asia/Vladivostok'), /^t=20260115T0730&/);
  });

  it('refuses attributes no register prints', () => {
    for (const broken of [
      { fn_number: '73804407000765' },
      { fiscal_document_number: 0 },
      { fiscal_document_attribute: 4_294_967_296 },
      { total_minor: 1.5 },
    ]) assert.throws(() => fiscalQrText({ ...SALE, ...broken }, 'sell'), RangeError, JSON.stringify(broken));
  });
});

describe('wall clocks of a zone', () => {
  it('read an instant as the zone\'s clock shows it, and back', () => {
    const at_ms = Date.UTC(2026, 0, 15, 11, 23, 45);
    assert.deepEqual(wallClockAt(at_ms, 'Europe/Moscow'), { year: 2026, month: 1, day: 15, hour: 14, minute: 23, second: 45 });
    assert.equal(instantOfWallClock({ year: 2026, month: 1, day: 15, hour: 14, minute: 23, second: 45 }, 'Europe/Moscow'), at_ms);
    assert.equal(instantOfWallClock({ year: 2026, month: 1, day: 1, hour: 0, minute: 0, second: 0 }, 'Europe/Moscow'), Date.UTC(2025, 11, 31, 21));
    // A zone with summer time: Berlin is UTC+2 in July.
    assert.equal(instantOfWallClock({ year: 2026, month: 7, day: 1, hour: 12, minute: 0, second: 0 }, 'Europe/Berlin'), Date.UTC(2026, 6, 1, 10));
  });
});
