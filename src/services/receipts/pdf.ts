import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';
import { documentFonts } from './fonts.js';
import type { DocumentField, FiscalSection, InvoiceDocument, ItemTable, ReceiptDocument } from './receipt-document.js';

/**
 * Receipts and invoices as PDF (pdfkit) — and the drawing helpers other documents use (the desk's
 * contract summary, services/desk/contract-pdf.ts), A4, in the document's language. Every string is set in
 * Noto Sans SC (fonts.ts), embedded and subset, so Cyrillic and Chinese print on any reader. The
 * QR codes are drawn as vector squares: sharp at any zoom and on any printer.
 */

export const PAGE_MARGIN_PT = 50;
const A4_WIDTH_PT = 595.28;
const A4_HEIGHT_PT = 841.89;
export const CONTENT_WIDTH_PT = A4_WIDTH_PT - 2 * PAGE_MARGIN_PT;
const CONTENT_BOTTOM_PT = A4_HEIGHT_PT - PAGE_MARGIN_PT;
/** The receipt's QR holds a short link; the invoice's holds ~300 bytes of payee details and needs more room. */
const QR_SIZE_PT = { receipt: 110, invoice: 150, fiscal: 80 } as const;
/**
 * Room a fiscal document's block takes at most (heading, test notice, three rows of attributes, the
 * scan hint; the QR beside them), and the test notice with the footer: what does not fit goes on
 * a new page rather than running off this one.
 */
const FISCAL_SECTION_HEIGHT_PT = 130;
/** The attributes side by side: ФН, ФД, ФП over РН ККТ, shift, time. */
const FISCAL_COLUMNS = 3;
const CLOSING_HEIGHT_PT = 60;
export const GAP_PT = 14;
const LABEL_WIDTH_PT = 150;
const ITEM_COLUMN_WIDTHS_PT = [CONTENT_WIDTH_PT - 60 - 90 - 90, 60, 90, 90] as const;
const TOTAL_VALUE_WIDTH_PT = 110;
const CELL_PADDING_PT = 5;
export const FONT_SIZE_PT = { title: 18, heading: 12, body: 10, small: 8 } as const;
export const COLOR = { text: '#1a1a1a', muted: '#666666', rule: '#bbbbbb', header: '#eeeeee' } as const;
/** The font has no ₽ glyph; Russian documents write the rouble as "руб." anyway. */
const ROUBLE_SIGN = /₽/g;

export type Pdf = InstanceType<typeof PDFDocument>;

export async function receiptPdf(document: ReceiptDocument): Promise<Buffer> {
  return renderPdf(document.language, `${document.title} ${document.number.value}`, (pdf) => drawMoneyDocument(pdf, document, {
    qr: { text: document.verify_url, caption: document.verify_hint, size_pt: QR_SIZE_PT.receipt },
    subtitle: `${document.number.label} ${document.number.value}`,
    party: document.seller, details: document.payment, fiscal: document.fiscal,
    footer: { text: document.verify_url, style: { size: FONT_SIZE_PT.small, color: COLOR.muted } },
  }));
}

export async function invoicePdf(document: InvoiceDocument): Promise<Buffer> {
  return renderPdf(document.language, `${document.title} ${document.reference.value}`, (pdf) => drawMoneyDocument(pdf, document, {
    qr: { text: document.payment_qr_text, caption: document.scan_hint, size_pt: QR_SIZE_PT.invoice },
    subtitle: `${document.reference.label} ${document.reference.value}`,
    party: [...document.payee, ...document.buyer], details: [document.purpose, document.pay_by],
    footer: { text: document.note, style: { size: FONT_SIZE_PT.body, color: COLOR.muted, width: CONTENT_WIDTH_PT } },
  }));
}

/** Where a receipt and an invoice differ; their layout is one. */
interface DocumentLayout {
  readonly qr: { readonly text: string; readonly caption: string; readonly size_pt: number };
  readonly subtitle: string;
  /** The seller (receipt) or the payee with its bank (invoice). */
  readonly party: readonly DocumentField[];
  /** How it was paid (receipt), or what to write and by when (invoice). */
  readonly details: readonly DocumentField[];
  /** The receipt's fiscal documents (54-FZ); an invoice has none. */
  readonly fiscal?: readonly FiscalSection[];
  readonly footer: { readonly text: string; readonly style: TextStyle };
}

/** QR and title side by side; the party; the item; the totals; the details; the test notice; the footer. */
function drawMoneyDocument(pdf: Pdf, document: Pick<ReceiptDocument, 'title' | 'items' | 'totals' | 'test_notice'>, layout: DocumentLayout): void {
  const top = PAGE_MARGIN_PT;
  const qr_bottom = drawQrWithCaption(pdf, layout.qr.text, layout.qr.caption, top, layout.qr.size_pt);
  const title_bottom = drawTitle(pdf, document.title, layout.subtitle, top, layout.qr.size_pt);
  let y = Math.max(qr_bottom, title_bottom) + GAP_PT;
  y = drawFields(pdf, layout.party, y) + GAP_PT;
  y = drawItemTable(pdf, document.items, y) + GAP_PT / 2;
  y = drawTotals(pdf, document.totals, y) + GAP_PT;
  y = drawFields(pdf, layout.details, y) + GAP_PT;
  for (const section of layout.fiscal ?? []) y = drawFiscalSection(pdf, section, roomFor(pdf, y, FISCAL_SECTION_HEIGHT_PT)) + GAP_PT;
  y = drawTestNotice(pdf, document.test_notice, roomFor(pdf, y, CLOSING_HEIGHT_PT));
  drawText(pdf, layout.footer.text, PAGE_MARGIN_PT, y, layout.footer.style);
}

/** A document made in test mode says so in bold, above its last lines; returns where the next line starts. */
function drawTestNotice(pdf: Pdf, notice: string | null, y: number): number {
  if (notice === null) return y;
  return drawText(pdf, notice, PAGE_MARGIN_PT, y, { size: FONT_SIZE_PT.heading, bold: true, width: CONTENT_WIDTH_PT }) + GAP_PT;
}

/** `y`, or the top of a new page when `height_pt` more would run past this one's bottom margin. */
function roomFor(pdf: Pdf, y: number, height_pt: number): number {
  if (y + height_pt <= CONTENT_BOTTOM_PT) return y;
  pdf.addPage();
  return PAGE_MARGIN_PT;
}

/**
 * A fiscal document under a rule: its heading, a test register's notice, then the attributes in three
 * columns (label over value) beside the tax service's QR code once registered, or the "being
 * registered" line before.
 */
function drawFiscalSection(pdf: Pdf, section: FiscalSection, top: number): number {
  pdf.lineWidth(0.5).strokeColor(COLOR.rule).moveTo(PAGE_MARGIN_PT, top).lineTo(PAGE_MARGIN_PT + CONTENT_WIDTH_PT, top).stroke();
  let y = drawText(pdf, section.heading, PAGE_MARGIN_PT, top + GAP_PT / 2, { size: FONT_SIZE_PT.body, bold: true }) + 2;
  if (section.test_notice !== null) y = drawText(pdf, section.test_notice, PAGE_MARGIN_PT, y, { size: FONT_SIZE_PT.small, bold: true }) + 2;
  if (section.qr_text === null) return drawText(pdf, section.pending_note ?? '', PAGE_MARGIN_PT, y + 2, { size: FONT_SIZE_PT.small, color: COLOR.muted });
  const size_pt = QR_SIZE_PT.fiscal;
  const left_width = CONTENT_WIDTH_PT - size_pt - GAP_PT;
  const column_width = left_width / FISCAL_COLUMNS;
  const qr_top = y + 2;
  drawQr(pdf, section.qr_text, PAGE_MARGIN_PT + CONTENT_WIDTH_PT - size_pt, qr_top, size_pt);
  let row_top = qr_top;
  for (let index = 0; index < section.fields.length; index += FISCAL_COLUMNS) {
    let row_bottom = row_top;
    for (const [column, field] of section.fields.slice(index, index + FISCAL_COLUMNS).entries()) {
      const x = PAGE_MARGIN_PT + column * column_width;
      const label_style = { size: FONT_SIZE_PT.small, color: COLOR.muted, width: column_width - 6 };
      const label_bottom = drawText(pdf, field.label, x, row_top, label_style);
      row_bottom = Math.max(row_bottom, drawText(pdf, field.value, x, label_bottom, { size: FONT_SIZE_PT.body, width: column_width - 6 }));
    }
    row_top = row_bottom + 3;
  }
  const hint_style = { size: FONT_SIZE_PT.small, color: COLOR.muted, width: left_width };
  const hint_bottom = drawText(pdf, section.qr_hint, PAGE_MARGIN_PT, row_top, hint_style);
  return Math.max(hint_bottom, qr_top + size_pt);
}

export async function renderPdf(language: string, title: string, draw: (pdf: Pdf) => void): Promise<Buffer> {
  const fonts = await documentFonts();
  // `font: null`: no Helvetica is set up, so no text can silently fall back to a font without Cyrillic or CJK.
  const pdf = new PDFDocument({ size: 'A4', margin: PAGE_MARGIN_PT, lang: language, font: null, info: { Title: pdfText(title), Creator: 'roamcard' } });
  const chunks: Buffer[] = [];
  const finished = new Promise<Buffer>((resolve, reject) => {
    pdf.on('data', (chunk: Buffer) => chunks.push(chunk));
    pdf.on('end', () => resolve(Buffer.concat(chunks)));
    pdf.on('error', reject);
  });
  pdf.registerFont('regular', fonts.regular).registerFont('bold', fonts.bold).font('regular');
  draw(pdf);
  pdf.end();
  return finished;
}

interface TextStyle {
  readonly size: number;
  readonly color?: string;
  readonly bold?: boolean;
  readonly width?: number;
  readonly align?: 'left' | 'right';
}

/** Draws text and returns the y below it. */
export function drawText(pdf: Pdf, text: string, x: number, y: number, style: TextStyle): number {
  const options = { width: style.width ?? CONTENT_WIDTH_PT, align: style.align ?? 'left' } as const;
  pdf.font(style.bold ? 'bold' : 'regular').fontSize(style.size).fillColor(style.color ?? COLOR.text);
  const printable = pdfText(text);
  pdf.text(printable, x, y, options);
  return y + pdf.heightOfString(printable, options);
}

function drawTitle(pdf: Pdf, title: string, subtitle: string, top: number, qr_size_pt: number): number {
  const width = CONTENT_WIDTH_PT - qr_size_pt - GAP_PT;
  const brand_bottom = drawText(pdf, 'roamcard', PAGE_MARGIN_PT, top, { size: FONT_SIZE_PT.body, color: COLOR.muted, width });
  const title_bottom = drawText(pdf, title, PAGE_MARGIN_PT, brand_bottom + 4, { size: FONT_SIZE_PT.title, bold: true, width });
  return drawText(pdf, subtitle, PAGE_MARGIN_PT, title_bottom + 4, { size: FONT_SIZE_PT.heading, width });
}

function drawQrWithCaption(pdf: Pdf, text: string, caption: string, top: number, size_pt: number): number {
  const x = PAGE_MARGIN_PT + CONTENT_WIDTH_PT - size_pt;
  drawQr(pdf, text, x, top, size_pt);
  return drawText(pdf, caption, x, top + size_pt + 4, { size: FONT_SIZE_PT.small, color: COLOR.muted, width: size_pt, align: 'left' });
}

/** Error correction M, the level GOST R 56042 recommends, used for the verification link too. */
export function drawQr(pdf: Pdf, text: string, x: number, y: number, size_pt: number): void {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const module_pt = size_pt / modules.size;
  for (let row = 0; row < modules.size; row += 1) {
    for (let column = 0; column < modules.size; column += 1) {
      if (modules.get(row, column)) pdf.rect(x + column * module_pt, y + row * module_pt, module_pt, module_pt);
    }
  }
  pdf.fill(COLOR.text);
}

export function drawFields(pdf: Pdf, fields: readonly DocumentField[], top: number, width_pt: number = CONTENT_WIDTH_PT): number {
  let y = top;
  const value_width = width_pt - LABEL_WIDTH_PT;
  for (const field of fields) {
    const label_bottom = drawText(pdf, field.label, PAGE_MARGIN_PT, y, {
      size: FONT_SIZE_PT.body, color: COLOR.muted, width: LABEL_WIDTH_PT - 8,
    });
    const value_bottom = drawText(pdf, field.value, PAGE_MARGIN_PT + LABEL_WIDTH_PT, y, { size: FONT_SIZE_PT.body, width: value_width });
    y = Math.max(label_bottom, value_bottom) + 3;
  }
  return y;
}

function drawItemTable(pdf: Pdf, table: ItemTable, top: number): number {
  const header_bottom = drawRow(pdf, table.header, top, true);
  const row_bottom = drawRow(pdf, table.row, header_bottom, false);
  pdf.lineWidth(0.5).strokeColor(COLOR.rule)
    .moveTo(PAGE_MARGIN_PT, row_bottom).lineTo(PAGE_MARGIN_PT + CONTENT_WIDTH_PT, row_bottom).stroke();
  return row_bottom;
}

function drawRow(pdf: Pdf, cells: readonly string[], top: number, header: boolean): number {
  const height = Math.max(...cells.map((cell, index) => cellHeight(pdf, cell, index, header))) + 2 * CELL_PADDING_PT;
  if (header) pdf.rect(PAGE_MARGIN_PT, top, CONTENT_WIDTH_PT, height).fill(COLOR.header);
  let x = PAGE_MARGIN_PT;
  cells.forEach((cell, index) => {
    const width = ITEM_COLUMN_WIDTHS_PT[index] ?? 0;
    drawText(pdf, cell, x + CELL_PADDING_PT, top + CELL_PADDING_PT, { size: FONT_SIZE_PT.body, bold: header, width: width - 2 * CELL_PADDING_PT, align: index === 0 ? 'left' : 'right' });
    x += width;
  });
  return top + height;
}

function cellHeight(pdf: Pdf, cell: string, index: number, bold: boolean): number {
  pdf.font(bold ? 'bold' : 'regular').fontSize(FONT_SIZE_PT.body);
  return pdf.heightOfString(pdfText(cell), { width: (ITEM_COLUMN_WIDTHS_PT[index] ?? 0) - 2 * CELL_PADDING_PT });
}

/**
 * Totals under the table in two right-aligned columns, label then amount (no colon: its form
 * differs between the languages). The first line (the amount) is bold, the rest (VAT) plain.
 */
function drawTotals(pdf: Pdf, totals: readonly DocumentField[], top: number): number {
  let y = top;
  const value_x = PAGE_MARGIN_PT + CONTENT_WIDTH_PT - TOTAL_VALUE_WIDTH_PT;
  totals.forEach((field, index) => {
    const style = { size: index === 0 ? FONT_SIZE_PT.heading : FONT_SIZE_PT.body, bold: index === 0, align: 'right' } as const;
    const label_bottom = drawText(pdf, field.label, PAGE_MARGIN_PT, y, {
      ...style, width: CONTENT_WIDTH_PT - TOTAL_VALUE_WIDTH_PT - CELL_PADDING_PT,
    });
    const value_bottom = drawText(pdf, field.value, value_x, y, { ...style, width: TOTAL_VALUE_WIDTH_PT - CELL_PADDING_PT });
    y = Math.max(label_bottom, value_bottom) + 2;
  });
  return y;
}

function pdfText(text: string): string {
  return text.replace(ROUBLE_SIGN, 'руб.');
}
