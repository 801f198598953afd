import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { drawingOrder, planCharge, tariffRate, type BundleBalance, type PayAsYouGoTariff, type PlanInput } from './charging-plan.js';
import { affordableQuantity, costMinor } from './money.js';
import { BYTES_PER_MB, USAGE_KINDS } from './units.js';

const HOUR_MS = 3_600_000;
const NOW_MS = Date.UTC(2024, 5, 1, 12);
const TARIFF: PayAsYouGoTariff = { data_minor_per_mb: 500, voice_minor_per_minute: 1500, sms_minor_per_message: 500 };

function bundle(id: string, remaining: number, expires_in_hours: number, activated_hours_ago = 1): BundleBalance {
  return { id, remaining, expires_at_ms: NOW_MS + expires_in_hours * HOUR_MS, activated_at_ms: NOW_MS - activated_hours_ago * HOUR_MS };
}

function input(overrides: Partial<PlanInput>): PlanInput {
  return { kind: 'data', quantity: 0, at_ms: NOW_MS, line_active: true, bundles: [], wallet_balance_minor: 0, tariff: TARIFF, ...overrides };
}

describe('drawingOrder', () => {
  it('draws the bundle that expires first, then by id when expiries are equal', () => {
    const order = drawingOrder([bundle('b-late', 10, 48), bundle('b-2', 10, 24), bundle('b-1', 10, 24), bundle('a-soon', 10, 2)], NOW_MS);
    assert.deepEqual(order.map((b) => b.id), ['a-soon', 'b-1', 'b-2', 'b-late']);
  });

  it('leaves out bundles not yet activated, already expired, or empty at the event time', () => {
    const order = drawingOrder([
      bundle('future', 10, 48, -1),
      bundle('expired', 10, -1, 30),
      bundle('empty', 0, 24),
      bundle('live', 10, 24),
    ], NOW_MS);
    assert.deepEqual(order.map((b) => b.id), ['live']);
  });

  it('counts activation inclusively and expiry exclusively', () => {
    const activated_now: BundleBalance = { id: 'a', remaining: 1, activated_at_ms: NOW_MS, expires_at_ms: NOW_MS + HOUR_MS };
    const expires_now: BundleBalance = { id: 'e', remaining: 1, activated_at_ms: NOW_MS - HOUR_MS, expires_at_ms: NOW_MS };
    assert.deepEqual(drawingOrder([activated_now, expires_now], NOW_MS).map((b) => b.id), ['a']);
    assert.deepEqual(drawingOrder([expires_now], NOW_MS - 1).map((b) => b.id), ['e']);
  });

  it('does not change the caller\'s array', () => {
    const bundles = [bundle('b', 1, 48), bundle('a', 1, 24)];
    drawingOrder(bundles, NOW_MS);
    assert.deepEqual(bundles.map((b) => b.id), ['b', 'a']);
  });
});

describe('planCharge: bundles', () => {
  it('draws from one bundle when it holds enough', () => {
    const plan = planCharge(input({ quantity: 300, bundles: [bundle('late', 1000, 48), bundle('soon', 1000, 24)] }));
    assert.deepEqual(plan, { draws: [{ bundle_id: 'soon', quantity: 300 }], from_bundles: 300, from_wallet: 0, wallet_charge_minor: 0, denied: 0, denial_reason: null });
  });

  it('empties the earliest bundle, then draws the rest from the next', () => {
    const plan = planCharge(input({ quantity: 1500, bundles: [bundle('late', 1000, 48), bundle('soon', 1000, 24)] }));
    assert.deepEqual(plan.draws, [{ bundle_id: 'soon', quantity: 1000 }, { bundle_id: 'late', quantity: 500 }]);
    assert.equal(plan.from_bundles, 1500);
    assert.equal(plan.denied, 0);
  });

  it('never draws from a bundle that is not live at the event time', () => {
    const plan = planCharge(input({ quantity: 10, bundles: [bundle('future', 100, 48, -1), bundle('expired', 100, -1, 30)], wallet_balance_minor: 0 }));
    assert.deepEqual(plan.draws, []);
    assert.equal(plan.denied, 10);
    assert.equal(plan.denial_reason, 'no_allowance_or_balance');
  });

  it('a zero-quantity event draws nothing and charges nothing', () => {
    const plan = planCharge(input({ quantity: 0, bundles: [bundle('b', 10, 24)], wallet_balance_minor: 100 }));
    assert.deepEqual(plan, { draws: [], from_bundles: 0, from_wallet: 0, wallet_charge_minor: 0, denied: 0, denial_reason: null });
  });
});

describe('planCharge: wallet at pay-as-you-go tariffs', () => {
  it('charges what bundles do not cover, rounded up to a whole kopeck', () => {
    // 3 MB + 1 byte at 5.00 RUB/MB: 1500 kopecks for the 3 MB, and the single byte costs a whole kopeck.
    const plan = planCharge(input({ quantity: 3 * BYTES_PER_MB + 1, wallet_balance_minor: 10_000 }));
    assert.deepEqual(plan, {
      draws: [], from_bundles: 0, from_wallet: 3 * BYTES_PER_MB + 1, wallet_charge_minor: 1501, denied: 0, denial_reason: null,
    });
  });

  it('bundles first, the wallet for the remainder', () => {
    const plan = planCharge(input({ kind: 'voice', quantity: 200, bundles: [bundle('b', 120, 24)], wallet_balance_minor: 10_000 }));
    assert.deepEqual(plan.draws, [{ bundle_id: 'b', quantity: 120 }]);
    assert.equal(plan.from_wallet, 80);
    assert.equal(plan.wallet_charge_minor, 2000); // 80 s at 15.00 RUB/min = 25 kopecks a second
  });

  it('voice: 61 seconds cost 15.25 RUB; SMS: 3 messages cost 15.00 RUB', () => {
    assert.equal(planCharge(input({ kind: 'voice', quantity: 61, wallet_balance_minor: 10_000 })).wallet_charge_minor, 1525);
    assert.equal(planCharge(input({ kind: 'sms', quantity: 3, wallet_balance_minor: 10_000 })).wallet_charge_minor, 1500);
  });

  it('grants part of an event when the wallet pays for part of it, and never a unit it cannot pay for', () => {
    // 10.00 RUB buys 40 seconds at 25 kopecks a second.
    const plan = planCharge(input({ kind: 'voice', quantity: 100, wallet_balance_minor: 1000 }));
    assert.deepEqual(plan, { draws: [], from_bundles: 0, from_wallet: 40, wallet_charge_minor: 1000, denied: 60, denial_reason: 'insufficient_balance' });
  });

  it('one kopeck buys 2097 bytes of data and not 2098', () => {
    const plan = planCharge(input({ quantity: 10_000, wallet_balance_minor: 1 }));
    assert.equal(plan.from_wallet, 2097);
    assert.equal(plan.wallet_charge_minor, 1);
    assert.equal(plan.denied, 10_000 - 2097);
    assert.equal(costMinor(2098, 500, BYTES_PER_MB), 2);
  });

  it('with bundles used up and the wallet short, the reason is insufficient_balance', () => {
    const plan = planCharge(input({ kind: 'sms', quantity: 5, bundles: [bundle('b', 2, 24)], wallet_balance_minor: 499 }));
    assert.equal(plan.from_bundles, 2);
    assert.equal(plan.from_wallet, 0);
    assert.equal(plan.denied, 3);
    assert.equal(plan.denial_reason, 'insufficient_balance');
  });

  it('nothing at all: no_allowance_or_balance', () => {
    const plan = planCharge(input({ kind: 'sms', quantity: 1, wallet_balance_minor: 0 }));
    assert.equal(plan.denial_reason, 'no_allowance_or_balance');
    assert.equal(plan.denied, 1);
  });

  it('pay-as-you-go disabled: beyond bundles the event is denied and the wallet untouched', () => {
    const plan = planCharge(input({ kind: 'sms', quantity: 5, bundles: [bundle('b', 2, 24)], wallet_balance_minor: 1_000_000, tariff: null }));
    assert.deepEqual(plan, {
      draws: [{ bundle_id: 'b', quantity: 2 }], from_bundles: 2, from_wallet: 0, wallet_charge_minor: 0, denied: 3, denial_reason: 'pay_as_you_go_disabled',
    });
  });

  it('a free tariff (rate 0) grants everything and charges nothing', () => {
    const plan = planCharge(input({ kind: 'sms', quantity: 7, wallet_balance_minor: 0, tariff: { ...TARIFF, sms_minor_per_message: 0 } }));
    assert.deepEqual(plan, { draws: [], from_bundles: 0, from_wallet: 7, wallet_charge_minor: 0, denied: 0, denial_reason: null });
  });
});

describe('planCharge: line not active', () => {
  it('denies the whole event, drawing nothing and charging nothing', () => {
    const plan = planCharge(input({ quantity: 500, line_active: false, bundles: [bundle('b', 1000, 24)], wallet_balance_minor: 1_000_000 }));
    assert.deepEqual(plan, { draws: [], from_bundles: 0, from_wallet: 0, wallet_charge_minor: 0, denied: 500, denial_reason: 'line_not_active' });
  });
});

describe('tariffRate', () => {
  it('maps each kind to its rate and unit size', () => {
    assert.deepEqual(tariffRate(TARIFF, 'data'), { rate_minor: 500, unit_size: BYTES_PER_MB });
    assert.deepEqual(tariffRate(TARIFF, 'voice'), { rate_minor: 1500, unit_size: 60 });
    assert.deepEqual(tariffRate(TARIFF, 'sms'), { rate_minor: 500, unit_size: 1 });
  });
});

// ---------------------------------------------------------------------------------------------
// Properties

const UNIT_SIZES = [1, 60, BYTES_PER_MB] as const;

/** Exact rational arithmetic, independent of the code under test. */
const product = (a: number, b: number) => BigInt(a) * BigInt(b);

describe('costMinor and affordableQuantity (properties)', () => {
  it('cost(q) = ceil(q·rate/unit): never a fraction charged, never a unit given away', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 40 }),
        fc.integer({ min: 0, max: 100_000 }),
        fc.constantFrom(...UNIT_SIZES),
        (quantity, rate, unit) => {
          if (product(quantity, rate) > product(Number.MAX_SAFE_INTEGER, unit)) {
            // Beyond 2^53 kopecks there is no exact answer to give: refuse rather than round.
            assert.throws(() => costMinor(quantity, rate, unit), RangeError);
            return;
          }
          const cost = costMinor(quantity, rate, unit);
          assert.ok(Number.isSafeInteger(cost) && cost >= 0);
          // cost·unit ≥ q·rate (the customer pays at least the exact price) …
          assert.ok(product(cost, unit) >= product(quantity, rate));
          // … and (cost − 1)·unit < q·rate (never a whole kopeck more than the exact price).
          if (cost > 0) assert.ok(product(cost - 1, unit) < product(quantity, rate));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('affordable quantity is the largest q with cost(q) ≤ balance', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1000, max: 10_000_000 }),
        fc.integer({ min: 1, max: 100_000 }),
        fc.constantFrom(...UNIT_SIZES),
        (balance, rate, unit) => {
          const quantity = affordableQuantity(balance, rate, unit);
          assert.ok(Number.isSafeInteger(quantity) && quantity >= 0);
          assert.ok(costMinor(quantity, rate, unit) <= Math.max(balance, 0));
          assert.ok(costMinor(quantity + 1, rate, unit) > balance);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('cost is monotonic in quantity', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 40 }),
        fc.integer({ min: 0, max: 2 ** 20 }),
        fc.integer({ min: 0, max: 100_000 }),
        fc.constantFrom(...UNIT_SIZES),
        (quantity, extra, rate, unit) => {
          fc.pre(product(quantity + extra, rate) <= product(Number.MAX_SAFE_INTEGER, unit));
          assert.ok(costMinor(quantity, rate, unit) <= costMinor(quantity + extra, rate, unit));
        },
      ),
      { numRuns: 1000 },
    );
  });
});

const bundleArbitrary = fc.record({
  id: fc.stringMatching(/^b[0-9a-f]{1,3}$/),
  remaining: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 5_000 }), fc.integer({ min: 1, max: 2 ** 32 })),
  // Relative to the event time: some bundles activate later, some expired already.
  activated_offset_ms: fc.integer({ min: -40 * HOUR_MS, max: 2 * HOUR_MS }),
  validity_ms: fc.constantFrom(HOUR_MS, 24 * HOUR_MS, 168 * HOUR_MS, 1),
}).map(({ id, remaining, activated_offset_ms, validity_ms }): BundleBalance => ({
  id, remaining, activated_at_ms: NOW_MS + activated_offset_ms, expires_at_ms: NOW_MS + activated_offset_ms + validity_ms,
}));

const planInputArbitrary: fc.Arbitrary<PlanInput> = fc.record({
  kind: fc.constantFrom(...USAGE_KINDS),
  quantity: fc.oneof(fc.integer({ min: 0, max: 1_000 }), fc.integer({ min: 0, max: 20_000 }), fc.integer({ min: 0, max: 2 ** 40 })),
  at_ms: fc.constant(NOW_MS),
  line_active: fc.oneof({ weight: 5, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  bundles: fc.uniqueArray(bundleArbitrary, { selector: (b) => b.id, maxLength: 6 }),
  wallet_balance_minor: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 10_000_000 })),
  tariff: fc.option(
    fc.record({
      data_minor_per_mb: fc.integer({ min: 0, max: 10_000 }),
      voice_minor_per_minute: fc.integer({ min: 0, max: 10_000 }),
      sms_minor_per_message: fc.integer({ min: 0, max: 10_000 }),
    }),
    { freq: 4 },
  ),
});

describe('planCharge (properties)', () => {
  it('accounts for every unit: from_bundles + from_wallet + denied = quantity, all non-negative', () => {
    fc.assert(
      fc.property(planInputArbitrary, (plan_input) => {
        const plan = planCharge(plan_input);
        assert.equal(plan.from_bundles + plan.from_wallet + plan.denied, plan_input.quantity);
        for (const value of [plan.from_bundles, plan.from_wallet, plan.denied, plan.wallet_charge_minor]) {
          assert.ok(Number.isSafeInteger(value) && value >= 0);
        }
        assert.equal(plan.from_bundles, plan.draws.reduce((sum, draw) => sum + draw.quantity, 0));
      }),
      { numRuns: 3000 },
    );
  });

  it('draws only from live bundles, in drawing order, each draw positive and within what the bundle holds', () => {
    fc.assert(
      fc.property(planInputArbitrary, (plan_input) => {
        const plan = planCharge(plan_input);
        const live = drawingOrder(plan_input.bundles, plan_input.at_ms);
        const byId = new Map(plan_input.bundles.map((b) => [b.id, b]));
        plan.draws.forEach((draw, index) => {
          const source = byId.get(draw.bundle_id);
          assert.ok(source, `draw from unknown bundle ${draw.bundle_id}`);
          assert.ok(source.activated_at_ms <= plan_input.at_ms && plan_input.at_ms < source.expires_at_ms, 'draw from a bundle not live at the event time');
          assert.ok(draw.quantity > 0 && draw.quantity <= source.remaining, `draw ${draw.quantity} from a bundle holding ${source.remaining}`);
          assert.equal(live[index]?.id, draw.bundle_id, 'draws follow the drawing order');
          // Greedy: every bundle before the last one drawn is emptied.
          if (index < plan.draws.length - 1) assert.equal(draw.quantity, source.remaining);
        });
      }),
      { numRuns: 3000 },
    );
  });

  it('uses bundles to the full before the wallet or a denial', () => {
    fc.assert(
      fc.property(planInputArbitrary, (plan_input) => {
        const plan = planCharge(plan_input);
        if (!plan_input.line_active) return;
        const live_total = drawingOrder(plan_input.bundles, plan_input.at_ms).reduce((sum, b) => sum + b.remaining, 0);
        assert.equal(plan.from_bundles, Math.min(plan_input.quantity, live_total));
      }),
      { numRuns: 2000 },
    );
  });

  it('charges the wallet exactly cost(from_wallet), never more than it holds, and grants as much as it pays for', () => {
    fc.assert(
      fc.property(planInputArbitrary, (plan_input) => {
        const plan = planCharge(plan_input);
        if (plan_input.tariff === null || !plan_input.line_active) {
          assert.equal(plan.from_wallet, 0);
          assert.equal(plan.wallet_charge_minor, 0);
          return;
        }
        const { rate_minor, unit_size } = tariffRate(plan_input.tariff, plan_input.kind);
        assert.equal(plan.wallet_charge_minor, costMinor(plan.from_wallet, rate_minor, unit_size));
        assert.ok(plan.wallet_charge_minor <= plan_input.wallet_balance_minor);
        // Maximal: one more unit would cost more than the wallet holds.
        if (plan.denied > 0) assert.ok(costMinor(plan.from_wallet + 1, rate_minor, unit_size) > plan_input.wallet_balance_minor);
      }),
      { numRuns: 3000 },
    );
  });

  it('gives a reason exactly when something is denied (active line), and the right one', () => {
    fc.assert(
      fc.property(planInputArbitrary, (plan_input) => {
        const plan = planCharge(plan_input);
        if (!plan_input.line_active) {
          assert.equal(plan.denial_reason, 'line_not_active');
          assert.equal(plan.denied, plan_input.quantity);
          assert.deepEqual(plan.draws, []);
          return;
        }
        assert.equal(plan.denial_reason === null, plan.denied === 0);
        if (plan.denied > 0 && plan_input.tariff === null) assert.equal(plan.denial_reason, 'pay_as_you_go_disabled');
        if (plan.denied > 0 && plan_input.tariff !== null) {
          const nothing_at_all = plan.from_bundles === 0 && plan.from_wallet === 0 && plan_input.wallet_balance_minor <= 0;
          assert.equal(plan.denial_reason, nothing_at_all ? 'no_allowance_or_balance' : 'insufficient_balance');
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('is a pure function of its input (same input, same plan; input untouched)', () => {
    fc.assert(
      fc.property(planInputArbitrary, (plan_input) => {
        const before = JSON.stringify(plan_input);
        const copy = JSON.parse(before) as PlanInput;
        assert.deepEqual(planCharge(plan_input), planCharge(copy));
        assert.equal(JSON.stringify(plan_input), before);
      }),
      { numRuns: 500 },
    );
  });
});
