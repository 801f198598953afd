import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { terminalSafe } from './terminal-text.js';

/**
 * What a terminal acts on, by code point: C0 and C1 controls, DEL, bidi and other format characters,
 * line and paragraph separators — listed apart from the Unicode classes terminal-text.ts uses, so
 * the test does not simply repeat the code under test.
 */
const ACTS_ON_TERMINAL_RANGES: ReadonlyArray<readonly [number, number]> = [
  [0x00, 0x1f], [0x7f, 0x9f], [0x61c, 0x61c], [0x200b, 0x200f], [0x2028, 0x202e], [0x2060, 0x2064],
  [0x2066, 0x206f], [0xfeff, 0xfeff], [0xe0001, 0xe0001], [0xe0020, 0xe007f],
];
function actsOnTerminal(text: string): boolean {
  return [...text].some((character) => {
    const code = character.codePointAt(0) ?? 0;
    return ACTS_ON_TERMINAL_RANGES.some(([first, last]) => code >= first && code <= last);
  });
}

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
      const shown = terminalSafe(text);
      assert.equal(actsOnTerminal(shown), false, JSON.stringify(shown));
    }));
  });
});
