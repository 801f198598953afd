import { createHash } from 'node:crypto';
import { GSM7_BASIC, GSM7_EXTENSION } from './ussd-text.js';

/**
 * The bytes of an SMS as an SMPP 3.4 `submit_sm` carries them in `short_message`.
 *
 * Encoding: GSM 7-bit (`data_coding` 0, the SMSC's default alphabet) when every character is in the
 * GSM 03.38 default alphabet or its extension table, else UCS-2 (`data_coding` 8, UTF-16BE).
 *
 * GSM-7 goes on the wire *unpacked*: one septet per octet, the character's GSM 03.38 code (not
 * ASCII: "@" is 0x00, "_" is 0x11), an extension character as the escape 0x1B followed by its
 * code ("€" is 1B 65). That is what SMPP means by data_coding 0 and what node-smpp itself sends
 * (defs.js `gsmCoder.encode` maps through the same table, one code per byte, no packing): the SMSC
 * packs septets for the air interface. Hence the octet limits below count septets.
 *
 * Long texts are split into parts, each led by a concatenation UDH with an 8-bit reference
 * (`05 00 03 ref total seq`) and sent with the UDHI bit in `esm_class`. The UDH's 6 octets leave
 * 153 septets (GSM-7: 140 octets hold 160 septets when packed, 153 after a 6-octet header padded to
 * a septet boundary) or 67 UTF-16 code units (UCS-2) a part. An escape and its character are never
 * split across parts, nor are the two halves of a surrogate pair: the handset would show garbage.
 */

export type SmsEncoding = 'gsm7' | 'ucs2';

export const DATA_CODING: Readonly<Record<SmsEncoding, number>> = Object.freeze({ gsm7: 0x00, ucs2: 0x08 });
/** esm_class bit 6: short_message starts with a User Data Header. */
export const ESM_CLASS_UDHI = 0x40;

export const GSM7_SEPTETS_SINGLE_MAX = 160;
export const GSM7_SEPTETS_PART_MAX = 153;
export const UCS2_UNITS_SINGLE_MAX = 70;
export const UCS2_UNITS_PART_MAX = 67;
/** An 8-bit reference UDH counts parts in one octet; our own texts are a few parts at most. */
export const SMS_PARTS_MAX = 255;

const GSM7_ESCAPE = 0x1b;
/** The first code after the escape: GSM7_BASIC leaves the escape out, so codes from here are index + 1. */
const GSM7_ESCAPE_INDEX = 27;
/** GSM 03.38 extension table: the code sent after the escape for each of GSM7_EXTENSION's characters. */
const GSM7_EXTENSION_CODES: Readonly<Record<string, number>> = Object.freeze({
  '\f': 0x0a, '^': 0x14, '{': 0x28, '}': 0x29, '\\': 0x2f, '[': 0x3c, '~': 0x3d, ']': 0x3e, '|': 0x40, '€': 0x65,
});

/** Concatenation information element: IEI 00 (8-bit reference), its length 3. */
const CONCATENATION_IEI = 0x00;
const CONCATENATION_IE_LENGTH = 3;
const UDH_LENGTH = 5;

const GSM7_CODES: ReadonlyMap<string, readonly number[]> = gsm7CodeTable();

function gsm7CodeTable(): Map<string, readonly number[]> {
  const table = new Map<string, readonly number[]>();
  [...GSM7_BASIC].forEach((character, index) => table.set(character, [index < GSM7_ESCAPE_INDEX ? index : index + 1]));
  for (const character of GSM7_EXTENSION) {
    const code = GSM7_EXTENSION_CODES[character];
    // Both tables come from ussd-text.ts and this file: a character added to one only is a programming error.
    if (code === undefined) throw new Error(`GSM-7 extension character ${JSON.stringify(character)} has no code`);
    table.set(character, [GSM7_ESCAPE, code]);
  }
  return table;
}

export interface EncodedSms {
  readonly encoding: SmsEncoding;
  readonly data_coding: number;
  /** 0 for a single part, ESM_CLASS_UDHI when the parts carry a concatenation header. */
  readonly esm_class: number;
  /** Each part's short_message, UDH included; one element for a text that fits one SMS. */
  readonly parts: readonly Buffer[];
}

/** The GSM-7 codes of each character, or null when one of them is not in the alphabet. */
export function gsm7Codes(text: string): Array<readonly number[]> | null {
  const codes: Array<readonly number[]> = [];
  for (const character of text) {
    const code = GSM7_CODES.get(character);
    if (code === undefined) return null;
    codes.push(code);
  }
  return codes;
}

/**
 * Encodes `text` into one or more short_messages. `reference` (0..255) ties the parts of one
 * message together on the handset: keep it the same when a part is sent again.
 */
export function encodeSms(text: string, reference: number): EncodedSms {
  if (!Number.isInteger(reference) || reference < 0 || reference > 0xff) {
    throw new RangeError(`concatenation reference ${reference} is not 0..255`);
  }
  const gsm7 = gsm7Codes(text);
  const encoding: SmsEncoding = gsm7 === null ? 'ucs2' : 'gsm7';
  const pieces = gsm7 === null ? ucs2Pieces(text) : gsm7Pieces(gsm7);
  if (pieces.length > SMS_PARTS_MAX) throw new RangeError(`text needs ${pieces.length} parts, more than ${SMS_PARTS_MAX}`);
  if (pieces.length === 1) return { encoding, data_coding: DATA_CODING[encoding], esm_class: 0, parts: pieces };
  const parts = pieces.map((piece, index) => Buffer.concat([concatenationHeader(reference, pieces.length, index + 1), piece]));
  return { encoding, data_coding: DATA_CODING[encoding], esm_class: ESM_CLASS_UDHI, parts };
}

/**
 * One short_message for a text that must not be split (a USSD screen, already fitted to one
 * screen by the menu engine): GSM-7 unpacked when it fits the alphabet, else UCS-2.
 */
export interface UnsplitMessage {
  readonly encoding: SmsEncoding;
  readonly data_coding: number;
  readonly short_message: Buffer;
}

export function encodeUnsplit(text: string): UnsplitMessage {
  const gsm7 = gsm7Codes(text);
  if (gsm7 !== null) return { encoding: 'gsm7', data_coding: DATA_CODING.gsm7, short_message: Buffer.from(gsm7.flat()) };
  return { encoding: 'ucs2', data_coding: DATA_CODING.ucs2, short_message: utf16be([...text].flatMap(utf16Units)) };
}

export function concatenationHeader(reference: number, total: number, sequence: number): Buffer {
  return Buffer.from([UDH_LENGTH, CONCATENATION_IEI, CONCATENATION_IE_LENGTH, reference, total, sequence]);
}

/** A stable 8-bit reference for a message (the outbox job id): a retried part joins its siblings. */
export function concatenationReference(message_reference: string): number {
  return createHash('sha256').update(message_reference).digest()[0] ?? 0;
}

function gsm7Pieces(codes: ReadonlyArray<readonly number[]>): Buffer[] {
  const septets = codes.reduce((sum, code) => sum + code.length, 0);
  if (septets <= GSM7_SEPTETS_SINGLE_MAX) return [Buffer.from(codes.flat())];
  return splitUnits(codes, GSM7_SEPTETS_PART_MAX).map((piece) => Buffer.from(piece.flat()));
}

function ucs2Pieces(text: string): Buffer[] {
  // One element per code point, each one or two UTF-16 units: a surrogate pair stays together.
  const units = [...text].map(utf16Units);
  const total = units.reduce((sum, unit) => sum + unit.length, 0);
  const groups = total <= UCS2_UNITS_SINGLE_MAX ? [units] : splitUnits(units, UCS2_UNITS_PART_MAX);
  return groups.map((group) => utf16be(group.flat()));
}

function utf16Units(character: string): number[] {
  const units: number[] = [];
  for (let index = 0; index < character.length; index += 1) units.push(character.charCodeAt(index));
  return units;
}

function utf16be(units: readonly number[]): Buffer {
  const buffer = Buffer.alloc(units.length * 2);
  units.forEach((unit, index) => buffer.writeUInt16BE(unit, index * 2));
  return buffer;
}

/** Greedy split of indivisible groups (a character's septets or code units) into pieces of at most `size_max`. */
function splitUnits<T>(groups: ReadonlyArray<readonly T[]>, size_max: number): Array<Array<readonly T[]>> {
  const pieces: Array<Array<readonly T[]>> = [[]];
  let size = 0;
  for (const group of groups) {
    if (size + group.length > size_max) {
      pieces.push([]);
      size = 0;
    }
    pieces.at(-1)?.push(group);
    size += group.length;
  }
  return pieces;
}
