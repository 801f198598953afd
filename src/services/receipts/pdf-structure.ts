/**
 * A small structural check of the PDFs we write, for tests (no PDF parser is a dependency): the
 * header and trailer, a cross-reference table whose every entry points at its object, the page
 * count, and which fonts are embedded. Text extraction is left out: with subset CID fonts the
 * text is glyph ids, and what a person sees is checked by rendering pages to pictures instead.
 */

export interface PdfFacts {
  readonly page_count: number;
  /** BaseFont names of embedded TrueType fonts, without the subset prefix ("NotoSansSC-Regular"). */
  readonly embedded_fonts: readonly string[];
  readonly language: string | null;
  /** Everything that is wrong with the file's structure; empty for a sound file. */
  readonly problems: readonly string[];
}

const XREF_ENTRY = /^(\d{10}) (\d{5}) ([nf])\s*$/;

export function inspectPdf(pdf: Buffer): PdfFacts {
  const text = pdf.toString('latin1');
  const problems: string[] = [];
  if (!text.startsWith('%PDF-1.')) problems.push('no %PDF-1.x header');
  if (!/%%EOF\s*$/.test(text)) problems.push('no %%EOF at the end');
  problems.push(...xrefProblems(text));
  const embedded = [...text.matchAll(/\/BaseFont \/([A-Z]{6})\+([A-Za-z0-9-]+)/g)].map((match) => match[2] ?? '');
  const font_files = (text.match(/\/FontFile2 /g) ?? []).length;
  if (font_files !== new Set(embedded).size) problems.push(`${font_files} embedded font files for fonts ${[...new Set(embedded)].join(', ')}`);
  return {
    page_count: (text.match(/\/Type \/Page\b(?!s)/g) ?? []).length,
    embedded_fonts: [...new Set(embedded)].sort(),
    language: /\/Lang \(([^)]*)\)/.exec(text)?.[1] ?? null,
    problems,
  };
}

function xrefProblems(text: string): string[] {
  const start = /startxref\s+(\d+)\s+%%EOF\s*$/.exec(text);
  if (!start) return ['no startxref'];
  const xref_at = Number(start[1]);
  if (!text.startsWith('xref', xref_at)) return [`startxref ${xref_at} does not point at the xref table`];
  const lines = text.slice(xref_at).split('\n');
  const [first, count] = (lines[1] ?? '').trim().split(' ').map(Number);
  if (first === undefined || count === undefined || Number.isNaN(count)) return ['unreadable xref subsection header'];
  const problems: string[] = [];
  for (let index = 0; index < count; index += 1) {
    const entry = XREF_ENTRY.exec(lines[2 + index] ?? '');
    if (!entry) {
      problems.push(`xref entry ${index} unreadable`);
      continue;
    }
    const object_number = first + index;
    if (entry[3] === 'n' && !text.startsWith(`${object_number} 0 obj`, Number(entry[1]))) problems.push(`object ${object_number} is not at offset ${Number(entry[1])}`);
  }
  return problems;
}
