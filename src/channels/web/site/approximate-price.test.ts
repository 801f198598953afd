import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ConfigError, FX_RATES_DEFAULT, loadConfig } from '../../../config.js';
import { approximatePrice, defaultApproximateCurrency } from './approximate-price.js';

it('converts roubles at the indicative rate, marked ≈, in the reader\'s format', () => {
  assert.equal(approximatePrice(19_000, 'CNY', FX_RATES_DEFAULT, 'zh-Hans'), '≈ 14.65 CNY');
  assert.equal(approximatePrice(199_000, 'EUR', FX_RATES_DEFAULT, 'ru'), '≈ 20,10 EUR');
  assert.equal(approximatePrice(0, 'USD', FX_RATES_DEFAULT, 'en'), '≈ 0.00 USD');
  assert.deepEqual((['zh-Hans', 'zh-Hant', 'en', 'ru'] as const).map(defaultApproximateCurrency), ['CNY', 'CNY', 'USD', null]);
});

it('FX_RATES overrides each rate it names and is checked at start', () => {
  assert.deepEqual(loadConfig({}).fx_rates, FX_RATES_DEFAULT);
  assert.deepEqual(loadConfig({ FX_RATES: ' CNY = 0.09 , EUR=0.011' }).fx_rates, { CNY: 0.09, USD: FX_RATES_DEFAULT.USD, EUR: 0.011 });
  for (const bad of ['CNY', 'JPY=1.6', 'CNY=0', 'CNY=-1', 'CNY=0.1;USD=0.01']) {
    assert.throws(() => loadConfig({ FX_RATES: bad }), (error: unknown) => error instanceof ConfigError && error.problems.some((problem) => problem.startsWith('FX_RATES')), bad);
  }
});
