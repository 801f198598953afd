import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateStore, type StoreInput } from './store-record.js';

const TULA: StoreInput = {
  code: 'tula-lenina', kind: 'partner_store', partner: 'demo-store', name: 'Perekrestok, Lenina 85', city: 'Tula', address: 'Lenina Ave 85',
  latitude: '54.1931', longitude: '37.6173', opening_hours: '08:00-22:00',
};

/** "field reason [value]" of a refused row, or "ok". */
function verdict(input: Partial<StoreInput>): string {
  const validated = validateStore({ ...TULA, ...input });
  return validated.ok ? 'ok' : `${validated.error.params.field} ${validated.error.params.reason} [${validated.value}]`;
}

describe('a store row', () => {
  it('is normalized: cells trimmed, kind in any case, defaults for the zone and renews, empty optionals null', () => {
    const validated = validateStore({ ...TULA, kind: ' Partner_Store ', name: '  Perekrestok, Lenina 85 ', chain: ' ', address_ru: '' });
    assert.deepEqual(validated, {
      ok: true,
      store: {
        code: 'tula-lenina', kind: 'partner_store', partner_code: 'demo-store', chain: null, name: 'Perekrestok, Lenina 85', city: 'Tula',
        address: 'Lenina Ave 85', address_ru: null, time_zone: 'Europe/Moscow', latitude: 54.1931, longitude: 37.6173,
        opening_hours: '08:00-22:00', renews: 1,
      },
    });
  });

  it('reads renews as yes/no, 1/0 or true/false in any case, and nothing else', () => {
    const renews = (text: string) => {
      const validated = validateStore({ ...TULA, renews: text });
      return validated.ok ? validated.store.renews : validated.error.params.reason;
    };
    assert.deepEqual(['', 'yes', 'YES', '1', 'true', 'True'].map(renews), [1, 1, 1, 1, 1, 1]);
    assert.deepEqual(['no', 'No', '0', 'false', 'FALSE'].map(renews), [0, 0, 0, 0, 0]);
    assert.deepEqual(['y', 'n', 'да', '2', 'maybe'].map(renews), Array(5).fill('not_yes_no'));
  });

  it('takes codes written like a partner\'s, and no other', () => {
    assert.deepEqual(['ab', 'tula-1', '1-tula', 'x'.repeat(40)].map((code) => verdict({ code })), ['ok', 'ok', 'ok', 'ok']);
    assert.deepEqual(['a', '-tula', 'Tula', 'tula_1', 'тула', 'x'.repeat(41), 'tula 1'].map((code) => verdict({ code }).split(' ')[1]),
      Array(7).fill('code_format'));
    assert.equal(verdict({ code: '' }), 'code empty []');
  });

  it('names the part of the hours it could not read', () => {
    assert.equal(verdict({ opening_hours: 'Mo-Fr 10:00-21:00; Sa 10-18' }), 'opening_hours hours_times [10-18]');
    assert.equal(verdict({ opening_hours: 'Mo-Xx 10:00-21:00' }), 'opening_hours hours_days [Mo-Xx]');
    assert.equal(verdict({ opening_hours: 'Mo-Fr 10:00-21:00 PH' }), 'opening_hours hours_rule [Mo-Fr 10:00-21:00 PH]');
    assert.equal(verdict({ opening_hours: Array(15).fill('Mo 10:00-11:00').join('; ') }).split(' [')[0], 'opening_hours hours_too_many_rules');
    assert.equal(verdict({ opening_hours: 'x'.repeat(256) }).split(' [')[0], 'opening_hours hours_too_long');
    assert.equal(verdict({ opening_hours: 'Mo-Sa 09:00-21:00; Su off' }), 'ok');
  });

  it('checks coordinates as decimal degrees within range, with a dot', () => {
    assert.deepEqual(['-90', '90', '0', '+45.5'].map((latitude) => verdict({ latitude })), ['ok', 'ok', 'ok', 'ok']);
    assert.deepEqual(['90.0001', '54,19', '5e1', 'N54'].map((latitude) => verdict({ latitude })),
      ['latitude not_latitude [90.0001]', 'latitude not_latitude [54,19]', 'latitude not_latitude [5e1]', 'latitude not_latitude [N54]']);
    assert.deepEqual(['-180', '180', '180.5'].map((longitude) => verdict({ longitude })), ['ok', 'ok', 'longitude not_longitude [180.5]']);
    assert.equal(verdict({ longitude: '' }), 'longitude empty []');
  });

  it('keeps a partner to partner stores, and text fit to print', () => {
    assert.equal(verdict({ kind: 'service_hall', partner: '' }), 'ok');
    assert.equal(verdict({ kind: 'service_hall' }), 'partner partner_unexpected [demo-store]');
    assert.equal(verdict({ partner: ' ' }), 'partner partner_required []');
    assert.equal(verdict({ city: 'Tula\nMoscow' }), 'city control_characters [Tula\nMoscow]');
    assert.equal(verdict({ address_ru: 'проспект\u200bЛенина' }), 'address_ru control_characters [проспект\u200bЛенина]');
    assert.equal(verdict({ address: 'Lenina Ave 85 (проспект Ленина)' }), 'address not_latin [Lenina Ave 85 (проспект Ленина)]');
    assert.equal(verdict({ chain: 'x'.repeat(201) }).split(' [')[0], 'chain too_large');
    assert.equal(verdict({ time_zone: 'Asia/Vladivostok' }), 'ok');
    assert.equal(verdict({ time_zone: 'MSK' }), 'time_zone unknown_time_zone [MSK]');
  });
});
