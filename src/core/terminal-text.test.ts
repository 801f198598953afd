import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { terminalSafe } from './terminal-text.js';

/** What a terminal acts on: C0 and C1 controls, DEL, bidi and other format characters, separators. */
// eslint-disable-next-line no-control-regex -- control characters are what this test looks for
const ACTS_ON_TERMINAL = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\u{e0001}\u{e0020}-\u{e007f}]/u;

describe('terminal-safe text', () => {
  it('shows escape sequences, bells, carriage returns, C1 codes and bidi overrides escaped', () => {
    assert.equal(terminalSafe('\x1b[2Jcleared'), '\\x1B[2Jcleared');
    assert.equal(terminalSafe('ring\x07'), 'ring\\x07');
    assert.equal(terminalSafe('\x9b31m'), '\\x9B31m', 'the 8-bit CSI');
    assert.equal(terminalSafe('5.00 \u202eBUR'), '5.00 \\u202EBUR');
    assert.equal(terminalSafe('\u2066x\u2069'), '\\u2066x\\u2069');
    assert.equal(terminalSafe('8970\u200b1990'), '8970\\u200B1990', 'a zero-width space is why an ICCID fails: show it');
    assert.equal(terminalSafe('tag\u{e0041}'), 'tag\\u{E0041}');
    assert.equal(terminalSafe('fake\rline'), 'fake↵line');
    assert.equal(terminalSafe('two\r\nlines\nthree\u2028four'), 'two↵lines↵three\\u2028four');
  });

  it('leaves the languages we print alone', () => {
    for (const text of ['Отклонённые строки (3):', '被拒绝的行（3）：', '被拒絕的列（3）：', 'LPA:1$smdp.example.com$K2-502', '1 990,00 ₽']) {
      assert.equal(terminalSafe(text), text);
    }
  });

  it('never lets a character a terminal acts on through, whatever the input', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (text) => {
      assert.doesNotMatch(terminalSafe(text), ACTS_ON_TERMINAL);
    }));
  });
});
