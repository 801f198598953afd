import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { affordableQuantity, costMinor, minorToDecimalString, parseMoney } from './money.js';

describe('money in integer minor units', () => {
  it('parses what people type into kopecks, never through floats', () => {
    assert.deepEqual(parseMoney('500'), { ok: true, amount_minor: 50_000 });
    assert.deepEqual(parseMoney('500.5'), { ok: true, amount_minor: 50_050 });
    assert.deepEqual(parseMoney('500,05'), { ok: true, amount_minor: 50_005 });
    assert.deepEqual(parseMoney('1 250.00'), { ok: true, amount_minor: 125_000 });
    assert.deepEqual(parseMoney('0.29'), { ok: true, amount_minor: 29 });
    assert.deepEqual(parseMoney('1.005'), { ok: false, problem: 'too_many_decimals' });
    assert.deepEqual(parseMoney('-5'), { ok: false, problem: 'format' });
    assert.deepEqual(parseMoney('abc'), { ok: false, problem: 'format' });
    assert.deepEqual(parseMoney('99999999999999999999'), { ok: false, problem: 'too_large' });
  });

  it('prints minor units as plain decimals', () => {
    assert.equal(minorToDecimalString(50_000), '500.00');
    assert.equal(minorToDecimalString(5), '0.05');
    assert.equal(minorToDecimalString(-1_234), '-12.34');
  });

  it('round-trips any amount through text', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (amount_minor) => {
      const parsed = parseMoney(minorToDecimalString(amount_minor));
      assert.deepEqual(parsed, { ok: true, amount_minor });
    }));
  });

  it('rounds usage cost up to a whole kopeck', () => {
    assert.equal(costMinor(1, 500, 1_048_576), 1); // one byte at 5 ₽/MB costs one kopeck
    assert.equal(costMinor(1_048_576, 500, 1_048_576), 500);
    assert.equal(costMinor(61, 1_500, 60), 1_525);
    assert.equal(costMinor(0, 1_500, 60), 0);
    assert.equal(costMinor(10, 0, 60), 0);
  });

  it('affordable quantity is the largest quantity whose cost fits the balance', () => {
    fc.assert(fc.property(
      fc.integer({ min: 0, max: 10_000_000 }),
      fc.integer({ min: 1, max: 100_000 }),
      fc.constantFrom(1, 60, 1_048_576),
      (balance_minor, rate_minor, unit_size) => {
        const quantity = affordableQuantity(balance_minor, rate_minor, unit_size);
        assert.ok(costMinor(quantity, rate_minor, unit_size) <= balance_minor);
        assert.ok(costMinor(quantity + 1, rate_minor, unit_size) > balance_minor);
      },
    ));
  });

  it('stays exact where bytes × rate passes 2^53', () => {
    // (2^40 + 1) bytes at 999.99 ₽/MB: the product is ~1.1e17, beyond exact float arithmetic.
    assert.equal(costMinor(2 ** 40 + 1, 99_999, 1_048_576), 1_048_576 * 99_999 + 1);
  });
});
