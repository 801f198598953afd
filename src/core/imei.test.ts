import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { luhnCheckDigit } from './iccid.js';
import { parseImei } from './imei.js';

describe('IMEI (3GPP TS 23.003)', () => {
  it('accepts a 15-digit IMEI whose last digit is its Luhn check digit', () => {
    assert.deepEqual(parseImei('490154203237518'), { ok: true, imei: '490154203237518' });
    const payload = '35693803564380';
    assert.deepEqual(parseImei(payload + luhnCheckDigit(payload)), { ok: true, imei: payload + luhnCheckDigit(payload) });
  });

  it('drops the spaces, dashes and slashes of a copied IMEI', () => {
    assert.deepEqual(parseImei('49-015420-323751/8'), { ok: true, imei: '490154203237518' });
    assert.deepEqual(parseImei(' 4901 5420 3237 518 '), { ok: true, imei: '490154203237518' });
  });

  it('refuses a wrong check digit, naming the problem', () => {
    assert.deepEqual(parseImei('490154203237517'), { ok: false, problem: 'luhn' });
  });

  it('refuses empty, non-digit and wrong-length input (IMEISV has 16 digits and no check digit)', () => {
    assert.deepEqual(parseImei(''), { ok: false, problem: 'empty' });
    assert.deepEqual(parseImei('49015420323751A'), { ok: false, problem: 'not_digits' });
    assert.deepEqual(parseImei('49015420323751'), { ok: false, problem: 'length' });
    assert.deepEqual(parseImei('4901542032375101'), { ok: false, problem: 'length' });
  });
});
