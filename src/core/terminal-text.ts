/**
 * Text from outside (a cell of an imported file, a file name, a column name, an error message that
 * quotes them) made safe to print on an operator's terminal. A terminal obeys what it is sent:
 * `ESC [2J` clears the screen, `ESC ]8;;url` plants a link, `CR` overwrites the line with a fake one,
 * BEL rings, 8-bit C1 codes (U+009B is a CSI) do the same as ESC on some terminals, and the bidi
 * overrides (U+202E, U+2066…) reorder what follows so `5.00 RUB` can read as `BUR 00.5`.
 *
 * Every such character is shown escaped (`\x1B`, `\u202E`), so the operator sees that it is there
 * and where: a zero-width space in an ICCID is why the ICCID was rejected. Line breaks become `↵`,
 * so one value cannot print a line that looks like ours. What is covered: Unicode control characters
 * (Cc: C0, DEL, C1), format characters (Cf: bidi marks, embeddings, overrides and isolates, zero-width
 * characters, BOM, invisible tags) and the line and paragraph separators (Zl, Zp).
 */
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;
const LINE_BREAK = /\r\n|\r|\n/g;

export function terminalSafe(text: string): string {
  return text.replace(LINE_BREAK, '↵').replace(UNSAFE, escapeCharacter);
}

function escapeCharacter(character: string): string {
  const code_point = character.codePointAt(0) ?? 0;
  const hex = code_point.toString(16).toUpperCase();
  if (code_point <= 0xff) return `\\x${hex.padStart(2, '0')}`;
  return code_point <= 0xffff ? `\\u${hex.padStart(4, '0')}` : `\\u{${hex}}`;
}
