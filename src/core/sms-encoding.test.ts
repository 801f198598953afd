import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import smpp from 'smpp';
import {
  concatenationReference, DATA_CODING, encodeSms, encodeUnsplit, ESM_CLASS_UDHI, GSM7_SEPTETS_PART_MAX, UCS2_UNITS_PART_MAX,
} from './sms-encoding.js';

const hex = (buffer: Buffer) => buffer.toString('hex');

describe('SMS encoding: the bytes of short_message', () => {
  it('sends an English sign-in code as one unpacked GSM-7 part, GSM codes not ASCII', () => {
    const encoded = encodeSms('Code: 004217 @_€', 0x2a);
    assert.equal(encoded.encoding, 'gsm7');
    assert.equal(encoded.data_coding, 0x00);
    assert.equal(encoded.esm_class, 0);
    assert.equal(encoded.parts.length, 1);
    // C o d e : space 0 0 4 2 1 7 space, "@" = 00, "_" = 11, "€" = escape 1B then 65.
    assert.equal(hex(encoded.parts[0] ?? Buffer.alloc(0)), '436f64653a20303034323137200011' + '1b65');
  });

  it('sends what node-smpp itself would send for GSM-7 (its encoder, read from its source, maps through the same table)', () => {
    const text = 'Balance {100} [RUB] ~ | \\ ^ ÄÖÑÜ§¿ äöñüà ΔΦΓΛΩΠΨΣΘΞ £$¥èéùìòÇØøÅåÆæßÉ';
    const library = (smpp as unknown as { encodings: { ASCII: { encode(text: string): Buffer } } }).encodings.ASCII.encode(text);
    assert.equal(hex(encodeSms(text, 0).parts[0] ?? Buffer.alloc(0)), hex(library));
  });

  it('sends a zh-Hans text as UCS-2 (UTF-16BE), data_coding 8', () => {
    const encoded = encodeSms('验证码 004217', 0);
    assert.equal(encoded.encoding, 'ucs2');
    assert.equal(encoded.data_coding, 0x08);
    assert.equal(encoded.parts.length, 1);
    assert.equal(hex(encoded.parts[0] ?? Buffer.alloc(0)), '9a8c8bc178010020003000300034003200310037');
    // One character outside the alphabet (Cyrillic) is enough for UCS-2.
    assert.equal(encodeSms('Code 1234 — код', 0).encoding, 'ucs2');
  });

  it('fits 160 GSM-7 septets or 70 UCS-2 units in one part, no header', () => {
    assert.equal(encodeSms('a'.repeat(160), 0).parts.length, 1);
    assert.equal(encodeSms('a'.repeat(161), 0).parts.length, 2);
    assert.equal(encodeSms('余'.repeat(70), 0).parts.length, 1);
    assert.equal(encodeSms('余'.repeat(71), 0).parts.length, 2);
    assert.equal(encodeSms('€'.repeat(80), 0).parts.length, 1, '80 extension characters are 160 septets');
    assert.equal(encodeSms('€'.repeat(81), 0).parts.length, 2);
  });

  it('splits a long GSM-7 text into 153-septet parts with 05 00 03 ref total seq, never splitting an escape', () => {
    // 152 "a" then "€" (2 septets): 154 > 153, so the escape and its code both go to part 2.
    const encoded = encodeSms(`${'a'.repeat(152)}€${'b'.repeat(10)}`, 0x7f);
    assert.equal(encoded.esm_class, ESM_CLASS_UDHI);
    assert.equal(encoded.data_coding, DATA_CODING.gsm7);
    assert.deepEqual(encoded.parts.map(hex), [
      `0500037f0201${'61'.repeat(152)}`,
      `0500037f0202${'1b65'}${'62'.repeat(10)}`,
    ]);
    const three = encodeSms('x'.repeat(GSM7_SEPTETS_PART_MAX * 2 + 1), 9);
    assert.deepEqual(three.parts.map((part) => hex(part.subarray(0, 6))), ['050003090301', '050003090302', '050003090303']);
    assert.deepEqual(three.parts.map((part) => part.length - 6), [153, 153, 1]);
  });

  it('splits a long UCS-2 text into 67-unit parts, never splitting a surrogate pair', () => {
    // 66 units, then an emoji (a surrogate pair, 2 units): 68 > 67, so the pair starts part 2.
    const encoded = encodeSms(`${'余'.repeat(66)}😀xxxxx`, 0x01);
    assert.equal(encoded.data_coding, DATA_CODING.ucs2);
    assert.deepEqual(encoded.parts.map(hex), [
      `050003010201${'4f59'.repeat(66)}`,
      `050003010202d83dde00${'0078'.repeat(5)}`,
    ]);
    assert.equal(encodeSms('余'.repeat(UCS2_UNITS_PART_MAX * 2), 0).parts.length, 2);
  });

  it('never loses, adds or splits a character (any text, any length)', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 600 }), fc.integer({ min: 0, max: 255 }), (text, reference) => {
      const encoded = encodeSms(text, reference);
      const payloads = encoded.parts.map((part) => (encoded.parts.length > 1 ? part.subarray(6) : part));
      if (encoded.encoding === 'ucs2') {
        assert.equal(payloads.map((payload) => Buffer.from(payload).swap16().toString('utf16le')).join(''), text);
        for (const payload of payloads) assert.ok(payload.length <= (encoded.parts.length > 1 ? 134 : 140));
      } else {
        for (const payload of payloads) {
          assert.ok(payload.length <= (encoded.parts.length > 1 ? 153 : 160));
          assert.notEqual(payload.at(-1), 0x1b, 'a part never ends on a lone escape');
        }
      }
    }), { numRuns: 300 });
  });

  it('keeps the concatenation reference per message: a resent part joins its siblings', () => {
    assert.equal(concatenationReference('job_01'), concatenationReference('job_01'));
    assert.ok(concatenationReference('job_01') >= 0 && concatenationReference('job_01') <= 255);
    assert.throws(() => encodeSms('x', 256), RangeError);
  });

  it('encodes a USSD screen in one piece whatever its length', () => {
    assert.deepEqual(encodeUnsplit('1 Buy'), { encoding: 'gsm7', data_coding: 0, short_message: Buffer.from([0x31, 0x20, 0x42, 0x75, 0x79]) });
    assert.equal(hex(encodeUnsplit('余额').short_message), '4f59989d');
    assert.equal(encodeUnsplit('a'.repeat(182)).short_message.length, 182);
  });
});
