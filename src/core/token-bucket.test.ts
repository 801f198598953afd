import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TokenBucket } from './token-bucket.js';

describe('token bucket', () => {
  it('lets a burst through, then books tokens in order at the rate', () => {
    const bucket = new TokenBucket(10, 2, 0);
    assert.equal(bucket.reserve(0, 1_000), 0);
    assert.equal(bucket.reserve(0, 1_000), 0);
    assert.equal(bucket.reserve(0, 1_000), 100, 'the third waits one token time (100 ms at 10/s)');
    assert.equal(bucket.reserve(0, 1_000), 200, 'the fourth behind it');
    assert.equal(bucket.reserve(0, 250), null, 'beyond the longest wait: nothing booked');
    assert.equal(bucket.reserve(300, 1_000), 0, 'after 300 ms the booked ones are paid back and one is free');
  });

  it('lets urgent traffic take a token without waiting, at the expense of what waits', () => {
    const bucket = new TokenBucket(10, 1, 0);
    bucket.consume(0);
    bucket.consume(0);
    assert.equal(bucket.reserve(0, 1_000), 200);
  });
});
