import { inflateSync } from 'node:zlib';

/**
 * The text a PDF of ours shows, for tests: pdfkit writes each string as glyph ids of a subset font
 * (Identity-H), so the text is read back through each font's ToUnicode map. Enough for pdfkit's own
 * output (one content stream per page, fonts named /F1…, hex strings in Tj/TJ), not a PDF parser.
 * Each text object (BT … ET) becomes one line.
 */
export function pdfText(pdf: Buffer): string {
  const objects = new Map<string, { dictionary: string; stream: Buffer | null }>();
  const raw = pdf.toString('latin1');
  for (const match of raw.matchAll(/(\d+) 0 obj\s*([\s\S]*?)endobj/g)) {
    const body = match[2] ?? '';
    const at = body.indexOf('stream');
    if (at < 0) {
      objects.set(match[1] ?? '', { dictionary: body, stream: null });
      continue;
    }
    const start = at + 'stream'.length + (body[at + 6] === '\r' ? 2 : 1);
    const data = Buffer.from(body.slice(start, body.lastIndexOf('endstream')), 'latin1');
    const dictionary = body.slice(0, at);
    objects.set(match[1] ?? '', { dictionary, stream: dictionary.includes('/FlateDecode') ? inflateSync(data) : data });
  }
  const fonts = new Map<string, Map<number, string>>();
  for (const { dictionary } of objects.values()) {
    for (const [, name, ref] of dictionary.matchAll(/\/(F\d+) (\d+) 0 R/g)) {
      const unicode = /\/ToUnicode (\d+) 0 R/.exec(objects.get(ref ?? '')?.dictionary ?? '')?.[1];
      const cmap = objects.get(unicode ?? '')?.stream;
      if (name && cmap) fonts.set(name, parseToUnicode(cmap.toString('latin1')));
    }
  }
  const lines: string[] = [];
  for (const { dictionary, stream } of objects.values()) {
    if (stream === null || dictionary.includes('/Subtype') || dictionary.includes('/Length1') || !stream.includes('BT')) continue;
    lines.push(...contentText(stream.toString('latin1'), fonts));
  }
  return lines.join('\n');
}

function contentText(content: string, fonts: ReadonlyMap<string, Map<number, string>>): string[] {
  const lines: string[] = [];
  let font: Map<number, string> | undefined;
  for (const block of content.split(/\bBT\b/).slice(1)) {
    let line = '';
    for (const [, name, strings] of block.matchAll(/\/(F\d+) [\d.]+ Tf|(\[[^\]]*\]\s*TJ|<[0-9a-fA-F]*>\s*Tj)/g)) {
      if (name) font = fonts.get(name);
      for (const [, hex] of (strings ?? '').matchAll(/<([0-9a-fA-F]*)>/g)) {
        for (let index = 0; index + 4 <= (hex ?? '').length; index += 4) line += font?.get(parseInt((hex ?? '').slice(index, index + 4), 16)) ?? '\uFFFD';
      }
    }
    lines.push(line);
  }
  return lines;
}

function parseToUnicode(cmap: string): Map<number, string> {
  const map = new Map<number, string>();
  const text = (hex: string) => String.fromCharCode(...(hex.match(/.{4}/g) ?? []).map((unit) => parseInt(unit, 16)));
  for (const [, section] of cmap.matchAll(/beginbfchar([\s\S]*?)endbfchar/g)) {
    for (const [, from, to] of (section ?? '').matchAll(/<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>/g)) map.set(parseInt(from ?? '', 16), text(to ?? ''));
  }
  for (const [, section] of cmap.matchAll(/beginbfrange([\s\S]*?)endbfrange/g)) {
    for (const [, low, high, targets] of (section ?? '').matchAll(/<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*(\[[^\]]*\]|<[0-9a-fA-F\s]+>)/g)) {
      const start = parseInt(low ?? '', 16);
      const end = parseInt(high ?? '', 16);
      // A ligature's target holds several code units, written with spaces between them ("<0066 0069>" for "fi").
      const listed = [...(targets ?? '').matchAll(/<([0-9a-fA-F\s]+)>/g)].map((found) => (found[1] ?? '').replaceAll(/\s/g, ''));
      for (let code = start; code <= end; code += 1) {
        if ((targets ?? '').startsWith('[')) map.set(code, text(listed[code - start] ?? ''));
        else map.set(code, String.fromCharCode(parseInt(listed[0] ?? '0', 16) + code - start));
      }
    }
  }
  return map;
}
