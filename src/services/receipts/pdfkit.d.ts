/**
 * The part of pdfkit's API that receipts and invoices use. pdfkit ships no types, and
 * @types/pdfkit would be one more dependency for a dozen methods; declaring them here keeps the
 * calls checked (no `any`) and shows exactly what we rely on when pdfkit is upgraded.
 */
declare module 'pdfkit' {
  import type { Readable } from 'node:stream';

  interface PdfTextOptions {
    width?: number;
    align?: 'left' | 'center' | 'right' | 'justify';
    lineGap?: number;
    /** Keep the cursor on this line, for a run of differently styled text. */
    continued?: boolean;
  }

  interface PdfDocumentOptions {
    size?: 'A4' | 'A5' | [number, number];
    margin?: number;
    /** Natural language of the document (the PDF's /Lang), e.g. "ru" or "zh-Hans". */
    lang?: string;
    info?: { Title?: string; Author?: string; Subject?: string; Creator?: string; Producer?: string };
    /** pdfkit adds Helvetica by default; every text of ours uses the embedded font instead. */
    font?: string | null;
  }

  class PDFDocument extends Readable {
    constructor(options?: PdfDocumentOptions);
    readonly page: { readonly width: number; readonly height: number };
    x: number;
    y: number;
    registerFont(name: string, source: Buffer): this;
    font(name: string): this;
    fontSize(size_pt: number): this;
    fillColor(color: string): this;
    strokeColor(color: string): this;
    lineWidth(width_pt: number): this;
    text(text: string, x: number, y: number, options?: PdfTextOptions): this;
    heightOfString(text: string, options?: PdfTextOptions): number;
    widthOfString(text: string): number;
    rect(x: number, y: number, width: number, height: number): this;
    moveTo(x: number, y: number): this;
    lineTo(x: number, y: number): this;
    fill(color?: string): this;
    stroke(): this;
    addPage(): this;
    end(): void;
  }

  export default PDFDocument;
}
