import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseEsimActivationCode } from './esim.js';

describe('eSIM activation code (SGP.22)', () => {
  it('accepts codes with and without the LPA: prefix and stores them with it', () => {
    const expected = { ok: true, activationCode: 'LPA:1$smdp.example.com$K2-1ABC2-3DEF4', smdpAddress: 'smdp.example.com', matchingId: 'K2-1ABC2-3DEF4' };
    assert.deepEqual(parseEsimActivationCode('LPA:1$smdp.example.com$K2-1ABC2-3DEF4'), expected);
    assert.deepEqual(parseEsimActivationCode('1$smdp.example.com$K2-1ABC2-3DEF4'), expected);
  });

  it('accepts the optional OID and confirmation-code flag', () => {
    assert.equal(parseEsimActivationCode('LPA:1$smdp.example.com$ABC$1.3.6.1.4.1.31746$1').ok, true);
    assert.equal(parseEsimActivationCode('LPA:1$smdp.example.com$ABC$$1').ok, true);
  });

  it('rejects malformed codes', () => {
    for (const code of ['', 'LPA:2$smdp.example.com$ABC', 'LPA:1$not a host$ABC', 'LPA:1$smdp.example.com$', 'LPA:1$smdp.example.com$ABC$x.y', 'LPA:1$smdp.example.com$ABC$$0', 'LPA:1$localhost$ABC']) {
      assert.deepEqual(parseEsimActivationCode(code), { ok: false, problem: 'format' }, code);
    }
  });
});
