import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../../config.js';

const SMPP = { SMS_DRIVER: 'smpp', SMPP_URL: 'smpp://smsc.example:2775', SMPP_SYSTEM_ID: 'roamcard', SMPP_PASSWORD: 's3cret!', SMPP_SOURCE_ADDR: 'roamcard' };

describe('SMPP configuration', () => {
  it('needs every SMPP_* connection variable with SMS_DRIVER=smpp, naming each missing one', () => {
    assert.throws(() => loadConfig({ SMS_DRIVER: 'smpp' }), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      for (const name of ['SMPP_URL', 'SMPP_SYSTEM_ID', 'SMPP_PASSWORD', 'SMPP_SOURCE_ADDR']) {
        assert.ok(error.problems.some((problem) => problem === `${name}: must be set when SMS_DRIVER=smpp`), name);
      }
      return true;
    });
  });

  it('refuses values the SMSC would refuse or truncate, and never shows the password', () => {
    assert.throws(() => loadConfig({ ...SMPP, SMPP_URL: 'http://smsc:2775' }), /SMPP_URL: must look like smpp:\/\/host:2775/);
    assert.throws(() => loadConfig({ ...SMPP, SMPP_PASSWORD: 'far-too-long-password' }), (error: unknown) =>
      error instanceof ConfigError && /SMPP_PASSWORD: must be at most 8 characters/.test(error.message) && !error.message.includes('far-too-long'));
    assert.throws(() => loadConfig({ ...SMPP, SMPP_SOURCE_ADDR: 'a sender name too long' }), /SMPP_SOURCE_ADDR/);
    assert.throws(() => loadConfig({ ...SMPP, SMPP_SUBMIT_PER_SECOND_MAX: '0' }), /SMPP_SUBMIT_PER_SECOND_MAX/);
    assert.throws(() => loadConfig({ ...SMPP, SMPP_USSD_START_OPS: '1,18' }), /SMPP_USSD_START_OPS: ussd_service_op 18 cannot both start/);
  });

  it('gives the link settings, the rate and the USSD op mapping with smpp.md\'s defaults', () => {
    const config = loadConfig({ ...SMPP, SMPP_URL: 'ssmpp://smsc.example:3550', SMPP_USSD_SERVICE_TYPE: 'USSD', SMPP_USSD_END_OPS: '32' });
    assert.equal(config.sms_driver, 'smpp');
    assert.equal(config.smpp?.link.url, 'ssmpp://smsc.example:3550');
    assert.equal(config.smpp?.link.password, 's3cret!');
    assert.equal(config.smpp?.submit_per_second_max, 50);
    assert.equal(config.smpp?.ussd.service_type, 'USSD');
    assert.deepEqual(config.smpp?.ussd.operations, { start: [1], continue: [18], end: [32], reply_continue: 2, reply_end: 17 });
    assert.ok(!JSON.stringify(config).includes('s3cret!'), 'the password is not in a serialised configuration');
    assert.equal(loadConfig({}).smpp, undefined);
  });
});
