import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * The one font that receipts and invoices are printed in: Noto Sans SC (SIL Open Font License),
 * from the npm package @expo-google-fonts/noto-sans-sc. It covers Latin, Cyrillic and the Chinese
 * characters of both zh-Hans and zh-Hant (traditional characters drawn in mainland style), so one
 * font serves all four languages. It lacks the rouble sign ₽, which the PDF writes as "руб.".
 * pdfkit embeds only the glyphs a document uses, so a receipt stays a few tens of kilobytes though
 * each font file is about 10 MB.
 */

export const FONT_PACKAGE = '@expo-google-fonts/noto-sans-sc';
const FONT_FILES = {
  regular: '400Regular/NotoSansSC_400Regular.ttf',
  bold: '700Bold/NotoSansSC_700Bold.ttf',
} as const;

export type FontWeight = keyof typeof FONT_FILES;
export type DocumentFonts = Readonly<Record<FontWeight, Buffer>>;

// Read once per process and kept: 20 MB parsed on every PDF would cost more than it holds.
let loading: Promise<DocumentFonts> | undefined;

export function documentFonts(): Promise<DocumentFonts> {
  loading ??= loadFonts().catch((error: unknown) => {
    loading = undefined; // a failed read (file missing mid-deploy) is tried again next time
    throw error;
  });
  return loading;
}

async function loadFonts(): Promise<DocumentFonts> {
  const folder = path.dirname(createRequire(import.meta.url).resolve(`${FONT_PACKAGE}/package.json`));
  const [regular, bold] = await Promise.all([
    readFile(path.join(folder, FONT_FILES.regular)),
    readFile(path.join(folder, FONT_FILES.bold)),
  ]);
  return { regular, bold };
}
