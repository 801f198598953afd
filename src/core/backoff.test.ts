import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffDelayMs } from './backoff.js';

describe('capped exponential backoff with full jitter', () => {
  const policy = { base_ms: 1_000, cap_ms: 60_000 };

  it('doubles the ceiling per attempt up to the cap', () => {
    const ceiling = (attempt: number) => backoffDelayMs(attempt, policy, () => 0.999_999);
    assert.equal(ceiling(1), 999);
    assert.equal(ceiling(2), 1_999);
    assert.equal(ceiling(4), 7_999);
    assert.equal(ceiling(7), 59_999);
    assert.equal(ceiling(1_000), 59_999);
  });

  it('spreads delays across the whole interval', () => {
    assert.equal(backoffDelayMs(3, policy, () => 0), 0);
    assert.equal(backoffDelayMs(3, policy, () => 0.5), 2_000);
  });
});
