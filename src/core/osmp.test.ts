import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { accountToMsisdn, formatOsmpSum, isOsmpTxnDate, parseOsmpSum } from './osmp.js';

describe('OSMP account', () => {
  it('accepts ten digits, 7 or 8 and ten digits, and +7 (or a GET query\'s space) and ten digits', () => {
    for (const account of ['9001234567', '79001234567', '89001234567', '+79001234567', ' 79001234567']) {
      assert.deepEqual(accountToMsisdn(account), { ok: true, msisdn: '+79001234567' }, account);
    }
  });

  it('refuses other shapes and numbers outside the Russian plan', () => {
    for (const account of ['', '900123456', '900123456789', '+89001234567', '69001234567', '900-123-45-67', '+7 900 123 45 67', '0001234567', 'abc']) {
      assert.deepEqual(accountToMsisdn(account), { ok: false }, account);
    }
  });
});

describe('OSMP sum', () => {
  it('reads roubles with up to two decimals as kopecks', () => {
    assert.equal(parseOsmpSum('10.45'), 1045);
    assert.equal(parseOsmpSum('10.4'), 1040);
    assert.equal(parseOsmpSum('300'), 30_000);
    assert.equal(parseOsmpSum('0.01'), 1);
  });

  it('refuses commas, signs, three decimals and empty input', () => {
    for (const text of ['', '10,45', '-1.00', '+1.00', '1.001', '.5', '1.', '1e3', '1234567890.00']) assert.equal(parseOsmpSum(text), undefined, text);
  });

  it('writes kopecks back with two decimals', () => {
    assert.equal(formatOsmpSum(1045), '10.45');
    assert.equal(formatOsmpSum(30_000), '300.00');
    assert.equal(formatOsmpSum(7), '0.07');
  });
});

describe('OSMP txn_date', () => {
  it('accepts a real calendar time and refuses impossible ones', () => {
    assert.equal(isOsmpTxnDate('20261207153000'), true);
    assert.equal(isOsmpTxnDate('20260229120000'), false);
    assert.equal(isOsmpTxnDate('20261207246000'), false);
    assert.equal(isOsmpTxnDate('2026-12-07'), false);
  });
});
