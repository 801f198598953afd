import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDialled } from './smpp-ussd.js';
import { UssdSessions } from './ussd-sessions.js';

describe('USSD over SMPP: sessions and dialled strings', () => {
  it('forgets a session after its time to live, and the least recent beyond the bound', () => {
    let now_ms = 0;
    const sessions = new UssdSessions({ sessions_max: 2, session_ttl_ms: 1_000 }, () => now_ms);
    const state = (code: string) => ({ msisdn: '+79001234567', service_code: code, inputs: [], session_id: `smpp:${code}` });
    sessions.set('a', state('*100#'));
    now_ms = 500;
    sessions.set('b', state('*101#'));
    assert.equal(sessions.get('a')?.service_code, '*100#');
    now_ms = 1_000;
    assert.equal(sessions.get('a'), undefined, 'expired');
    assert.equal(sessions.get('b')?.service_code, '*101#');
    sessions.set('c', state('*102#'));
    sessions.set('d', state('*102#'));
    assert.equal(sessions.size, 2);
    assert.equal(sessions.get('b'), undefined, 'the least recent was dropped for the newest');
    assert.ok(sessions.get('c') && sessions.get('d'));
  });

  it('splits a dialled string into the service code and the inputs typed with it', () => {
    assert.deepEqual(parseDialled('*102#'), { service_code: '*102#', inputs: [] });
    assert.deepEqual(parseDialled('#100#'), { service_code: '#100#', inputs: [] });
    assert.deepEqual(parseDialled('*102*1*2#'), { service_code: '*102#', inputs: ['1', '2'] });
    assert.deepEqual(parseDialled('hello'), { service_code: 'hello', inputs: [] });
  });
});
