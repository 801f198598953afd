import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig, paygTariff } from './config.js';

describe('configuration from the environment', () => {
  it('has working defaults: SQLite in ./data on port 3000', () => {
    const config = loadConfig({});
    assert.equal(config.port, 3000);
    assert.equal(config.database_url, undefined);
    assert.equal(config.sqlite_file, 'data/roamcard.db');
    assert.equal(config.default_time_zone, 'Europe/Moscow');
  });

  it('stops with a message naming each bad variable', () => {
    assert.throws(() => loadConfig({ PORT: 'abc', DATABASE_URL: 'mysql://x', DEFAULT_TIME_ZONE: 'Mars/Olympus' }), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, /PORT/);
      assert.match(error.message, /DATABASE_URL/);
      assert.match(error.message, /DEFAULT_TIME_ZONE/);
      return true;
    });
  });

  it('turns pay-as-you-go off per kind', () => {
    const tariffFor = paygTariff(loadConfig({ PAYG_VOICE_KOPECKS_PER_MINUTE: 'off', PAYG_DATA_KOPECKS_PER_MB: '990' }));
    assert.equal(tariffFor('voice'), null);
    assert.equal(tariffFor('data')?.data_minor_per_mb, 990);
    assert.throws(() => loadConfig({ PAYG_SMS_KOPECKS_PER_MESSAGE: '4.5' }), ConfigError);
  });
});
