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

  it('is in test mode (sandbox, console SMS, bank transfers) only while no real provider is configured', () => {
    const fresh = loadConfig({});
    assert.deepEqual(fresh.payments, { sandbox: true, bank_transfer: true });
    assert.equal(fresh.sms_driver, 'console');
    assert.ok(fresh.warnings.some((warning) => warning.startsWith('TEST MODE')));

    const real = loadConfig({ YOOKASSA_SHOP_ID: '123456', SMS_DRIVER: 'console' });
    assert.deepEqual(real.payments, { sandbox: false, bank_transfer: false });
    assert.ok(!real.warnings.some((warning) => warning.startsWith('TEST MODE')));
    assert.ok(real.warnings.some((warning) => warning.startsWith('SMS_DRIVER=console')), 'the console driver is named in a warning');

    assert.equal(loadConfig({ STRIPE_SECRET_KEY: 'sk_test_x', PAYMENTS_SANDBOX: 'on' }).payments.sandbox, true);
    assert.equal(loadConfig({ PAYMENTS_SANDBOX: 'off', SMS_DRIVER: 'console' }).payments.sandbox, false);
    assert.throws(() => loadConfig({ PAYMENTS_SANDBOX: 'yes' }), /PAYMENTS_SANDBOX: must be "on" or "off"/);
  });

  it('refuses to send SMS to the log silently when payments are real', () => {
    assert.throws(() => loadConfig({ PAYPAL_CLIENT_ID: 'client' }), (error: unknown) => error instanceof ConfigError && /SMS_DRIVER: must be set/.test(error.message));
  });

  it('takes bank transfers for real money only into the seller\'s own bank account', () => {
    assert.throws(() => loadConfig({ PAYMENTS_SANDBOX: 'off', SMS_DRIVER: 'console', PAYMENTS_BANK_TRANSFER: 'on' }), /PAYMENTS_BANK_TRANSFER: .*SELLER_BANK_/);
    const own_bank = loadConfig({
      PAYMENTS_SANDBOX: 'off', SMS_DRIVER: 'console', PAYMENTS_BANK_TRANSFER: 'on',
      SELLER_BANK_BIC: '044525225', SELLER_BANK_CORRESPONDENT_ACCOUNT: '30101810400000000225', SELLER_BANK_ACCOUNT: '40702810938000000001',
    });
    assert.deepEqual(own_bank.payments, { sandbox: false, bank_transfer: true });
  });
});
