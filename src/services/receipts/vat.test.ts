import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseVatSchedule, vatIncludedMinor, vatRateAt, VAT_RATES_DEFAULT } from './vat.js';

describe('VAT included in a price', () => {
  it('takes 22/122 of the price, to the kopeck', () => {
    assert.equal(vatIncludedMinor(19_000, 22), 3_426); // 3426.23 → 34.26 ₽
    assert.equal(vatIncludedMinor(12_200, 22), 2_200); // exact
    assert.equal(vatIncludedMinor(99_000, 22), 17_852); // 17852.459 → 178.52 ₽
    assert.equal(vatIncludedMinor(1, 22), 0); // 0.18 kopeck
    assert.equal(vatIncludedMinor(3, 22), 1); // 0.54 kopeck
  });

  it('rounds an exact half kopeck up', () => {
    assert.equal(vatIncludedMinor(3, 20), 1); // 3 / 6 = 0.5
    assert.equal(vatIncludedMinor(9, 20), 2); // 1.5
    assert.equal(vatIncludedMinor(15, 20), 3); // 2.5
  });

  it('agrees with rounding the exact fraction half up, for every price up to 1000 ₽ and each rate', () => {
    for (const rate of [0, 5, 7, 10, 20, 22]) {
      for (let amount_minor = 0; amount_minor <= 100_000; amount_minor += 1) {
        // Exact test without floats: |2·(122·vat − amount·22)| ≤ 122, ties going up.
        const vat = vatIncludedMinor(amount_minor, rate);
        const twice_error = 2 * ((100 + rate) * vat - amount_minor * rate);
        if (twice_error > 100 + rate || twice_error <= -(100 + rate)) assert.fail(`rate ${rate}%, amount ${amount_minor}: ${vat}`);
      }
    }
  });

  it('stays exact beyond floating point, and contains nothing without a rate', () => {
    assert.equal(vatIncludedMinor(Number.MAX_SAFE_INTEGER, 22), Number((BigInt(Number.MAX_SAFE_INTEGER) * 22n * 2n + 122n) / 244n));
    assert.equal(vatIncludedMinor(19_000, null), 0);
    assert.equal(vatIncludedMinor(19_000, 0), 0);
    assert.throws(() => vatIncludedMinor(-1, 22), RangeError);
    assert.throws(() => vatIncludedMinor(1.5, 22), RangeError);
    assert.throws(() => vatIncludedMinor(100, 120), RangeError);
  });
});

describe('VAT rates by date', () => {
  const parsed = parseVatSchedule(VAT_RATES_DEFAULT, 'Europe/Moscow');
  assert.ok(parsed.ok);
  const schedule = parsed.schedule;

  it('takes the rate of the sale\'s time across 1 January 2026, midnight in Moscow', () => {
    const new_year_moscow_ms = Date.UTC(2025, 11, 31, 21, 0); // 2026-01-01 00:00 MSK
    assert.equal(vatRateAt(schedule, new_year_moscow_ms - 1), 20, '23:59:59.999 on 31 December');
    assert.equal(vatRateAt(schedule, new_year_moscow_ms), 22);
    assert.equal(vatRateAt(schedule, Date.UTC(2025, 5, 1)), 20);
    assert.equal(vatRateAt(schedule, Date.UTC(2018, 0, 1)), 20, 'before the table: its first rate');
  });

  it('takes a next change as one more entry, and "none" for a seller outside VAT', () => {
    const next = parseVatSchedule(`${VAT_RATES_DEFAULT},2028-07-01:25`, 'Europe/Moscow');
    assert.ok(next.ok);
    assert.equal(vatRateAt(next.schedule, Date.UTC(2028, 5, 30, 20, 59)), 22);
    assert.equal(vatRateAt(next.schedule, Date.UTC(2028, 5, 30, 21, 0)), 25);
    const none = parseVatSchedule('none', 'Europe/Moscow');
    assert.ok(none.ok);
    assert.equal(vatRateAt(none.schedule, Date.UTC(2026, 0, 1)), null);
  });

  it('refuses a malformed table, naming the entry', () => {
    for (const text of ['', '22', '2026-01-01', '2026-01-01:22;2027-01-01:25', '2026-13-01:22', '2026-01-01:100', '2026-01-01:22,2025-01-01:20']) {
      const result = parseVatSchedule(text, 'Europe/Moscow');
      assert.equal(result.ok, false, text);
    }
  });
});
