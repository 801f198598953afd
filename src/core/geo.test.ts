import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { distanceM, parseGeoPoint } from './geo.js';

const MOSCOW_KREMLIN = { latitude: 55.752, longitude: 37.6175 };
const PALACE_SQUARE = { latitude: 59.939, longitude: 30.3158 };

describe('distance on the Earth (haversine)', () => {
  it('Moscow to Saint Petersburg is about 634 km (within 1 %)', () => {
    const distance_m = distanceM(MOSCOW_KREMLIN, PALACE_SQUARE);
    assert.ok(Math.abs(distance_m - 634_000) < 6_340, `${distance_m} m`);
  });

  it('one minute of latitude is about one nautical mile (1852 m)', () => {
    const distance_m = distanceM({ latitude: 55, longitude: 37 }, { latitude: 55 + 1 / 60, longitude: 37 });
    assert.ok(Math.abs(distance_m - 1852) < 10, `${distance_m} m`);
  });

  it('is symmetric, zero for one point, and finite for antipodes', () => {
    assert.equal(distanceM(MOSCOW_KREMLIN, MOSCOW_KREMLIN), 0);
    assert.equal(distanceM(MOSCOW_KREMLIN, PALACE_SQUARE), distanceM(PALACE_SQUARE, MOSCOW_KREMLIN));
    const half_circumference_m = distanceM({ latitude: 0, longitude: 0 }, { latitude: 0, longitude: 180 });
    assert.ok(Math.abs(half_circumference_m - Math.PI * 6_371_008.8) < 1);
  });
});

describe('coordinates from an address', () => {
  it('reads plain decimal degrees', () => {
    assert.deepEqual(parseGeoPoint('55.758', '37.613'), { ok: true, point: { latitude: 55.758, longitude: 37.613 } });
    assert.deepEqual(parseGeoPoint('-33.9', '+151'), { ok: true, point: { latitude: -33.9, longitude: 151 } });
    assert.deepEqual(parseGeoPoint(' 90 ', '-180'), { ok: true, point: { latitude: 90, longitude: -180 } });
  });

  it('names the first bad one: out of range, empty, not a plain number', () => {
    assert.deepEqual(parseGeoPoint('91', '37'), { ok: false, problem: 'latitude' });
    assert.deepEqual(parseGeoPoint('55', '180.5'), { ok: false, problem: 'longitude' });
    for (const bad of ['', 'abc', '1e2', '55,7', 'NaN', 'Infinity', '0x10', '55.', '.5', '1234']) {
      assert.deepEqual(parseGeoPoint(bad, '37'), { ok: false, problem: 'latitude' }, bad);
      assert.deepEqual(parseGeoPoint('55', bad), { ok: false, problem: 'longitude' }, bad);
    }
  });
});
