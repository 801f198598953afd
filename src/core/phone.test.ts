import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { maskMsisdn, maskPhoneNumbersInText, parseMsisdn } from './phone.js';

describe('MSISDN normalisation to E.164', () => {
  it('normalises the ways people write a Russian mobile number', () => {
    for (const input of ['+79001234567', '+7 900 123-45-67', '8 900 123 45 67', '89001234567', '9001234567', '+7 (900) 123-45-67', '007 900 1234567'.replace('007 ', '+7')]) {
      assert.deepEqual(parseMsisdn(input), { ok: true, msisdn: '+79001234567' }, input);
    }
  });

  it('keeps foreign numbers given with their country code', () => {
    assert.deepEqual(parseMsisdn('+86 138 0013 8000'), { ok: true, msisdn: '+8613800138000' });
  });

  it('rejects what is not a phone number', () => {
    assert.deepEqual(parseMsisdn(''), { ok: false, problem: 'empty' });
    for (const input of ['hello', '+7900', '12', '+7 900 123-45-67-89-00']) {
      assert.deepEqual(parseMsisdn(input), { ok: false, problem: 'invalid' }, input);
    }
  });

  it('masks numbers for logs', () => {
    assert.equal(maskMsisdn('+79001234567'), '+7900***4567');
    const text = maskPhoneNumbersInText('charge for +79001234567 and 8 900 123-45-68 failed; order 12345');
    assert.ok(!text.includes('+79001234567'));
    assert.ok(!text.includes('123-45-68'));
    assert.ok(text.includes('order 12345'));
  });
});
