import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { luhnCheckDigit, luhnValid, maskIccid, parseIccid } from './iccid.js';

describe('ICCID (E.118)', () => {
  it('accepts the demo ICCIDs, which are Luhn-valid', () => {
    assert.deepEqual(parseIccid('8970199000000000007'), { ok: true, iccid: '8970199000000000007' });
    assert.deepEqual(parseIccid('8970199000000000015'), { ok: true, iccid: '8970199000000000015' });
  });

  it('strips spaces and dashes people use for readability', () => {
    assert.deepEqual(parseIccid(' 8970 1990 0000-0000 007 '), { ok: true, iccid: '8970199000000000007' });
  });

  it('accepts 20-digit ICCIDs', () => {
    const payload = '8970199000000000012';
    const iccid = payload + luhnCheckDigit(payload);
    assert.equal(iccid.length, 20);
    assert.deepEqual(parseIccid(iccid), { ok: true, iccid });
  });

  it('names the problem: empty, non-digits, length, prefix, Luhn', () => {
    assert.deepEqual(parseIccid(''), { ok: false, problem: 'empty' });
    assert.deepEqual(parseIccid('89701990000000000O7'), { ok: false, problem: 'not_digits' });
    assert.deepEqual(parseIccid('897019900000000007'), { ok: false, problem: 'length' });
    assert.deepEqual(parseIccid('897019900000000000071'), { ok: false, problem: 'length' });
    const wrongPrefix = '887019900000000000' + luhnCheckDigit('887019900000000000');
    assert.ok(luhnValid(wrongPrefix));
    assert.deepEqual(parseIccid(wrongPrefix), { ok: false, problem: 'prefix' });
    assert.deepEqual(parseIccid('8970199000000000008'), { ok: false, problem: 'luhn' });
  });

  it('never completes a missing check digit silently (18 digits is a length error)', () => {
    assert.deepEqual(parseIccid('897019900000000000'), { ok: false, problem: 'length' });
  });

  it('computes Luhn check digits that validate', () => {
    for (const payload of ['7992739871', '897019900000000000', '89701990000000000']) {
      assert.ok(luhnValid(payload + luhnCheckDigit(payload)));
    }
    assert.equal(luhnCheckDigit('7992739871'), '3');
  });

  it('masks all but the last four digits', () => {
    assert.equal(maskIccid('8970199000000000007'), '••••0007');
  });
});
