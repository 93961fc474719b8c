/**
 * A minimal PDF 1.4 writer for the notice: A4 pages, the standard Type 1 fonts (Helvetica,
 * Helvetica-Bold, Courier-Bold, WinAnsiEncoding, not embedded), filled rectangles and lines,
 * barcodes as vector rectangles, and one optional raster logo. Pure: strings in, bytes out.
 * Coordinates given to Canvas are in points from the TOP-left corner; it flips them.
 */
import { deflateSync } from 'node:zlib';
import { toWinAnsi, widthOf, type FontId } from './fonts';
import type { ModuleMatrix } from './qr';

export const A4_WIDTH = 595.28;
export const A4_HEIGHT = 841.89;
export const MM = 72 / 25.4;

const FONT_NAMES: Record<FontId, string> = { regular: 'F1', bold: 'F2', mono: 'F3' };

/** 2 decimals at most, no trailing zeros: PDF numbers stay short. */
export function num(n: number): string {
  if (Number.isInteger(n)) return String(n);
  return String(Math.round(n * 100) / 100);
}

function escapePdfString(s: string): string {
  return s.replace(/[\\()]/g, '\\$&');
}

export type Rgb = readonly [number, number, number];

export class Canvas {
  private readonly ops: string[] = [];
  private fill = '';
  private stroke = '';

  /** Text whose baseline is at `top` (points from the top of the page). */
  text(x: number, top: number, text: string, font: FontId, size: number, color: Rgb = BLACK): void {
    this.setFill(color);
    const t = escapePdfString(toWinAnsi(text));
    this.ops.push(`BT /${FONT_NAMES[font]} ${num(size)} Tf ${num(x)} ${num(A4_HEIGHT - top)} Td (${t}) Tj ET`);
  }

  textRight(right: number, top: number, text: string, font: FontId, size: number, color: Rgb = BLACK): void {
    this.text(right - measure(text, font, size), top, text, font, size, color);
  }

  rect(x: number, top: number, w: number, h: number, color: Rgb): void {
    this.setFill(color);
    this.ops.push(`${num(x)} ${num(A4_HEIGHT - top - h)} ${num(w)} ${num(h)} re f`);
  }

  line(x1: number, top1: number, x2: number, top2: number, width: number, color: Rgb, dash?: readonly number[]): void {
    this.setStroke(color);
    const d = dash ? `[${dash.map(num).join(' ')}] 0 d ` : '';
    const reset = dash ? ' [] 0 d' : '';
    this.ops.push(`${d}${num(width)} w ${num(x1)} ${num(A4_HEIGHT - top1)} m ${num(x2)} ${num(A4_HEIGHT - top2)} l S${reset}`);
  }

  /** A barcode as black rectangles, one per horizontal run of dark modules; `side` in points. */
  matrix(m: ModuleMatrix, x: number, top: number, side: number): void {
    const s = side / m.size;
    const parts: string[] = [`q 0 g ${num(s)} 0 0 ${num(s)} ${num(x)} ${num(A4_HEIGHT - top - side)} cm`];
    const n = m.size;
    for (let r = 0; r < n; r++) {
      const y = n - 1 - r;
      let c = 0;
      while (c < n) {
        if (!m.modules[r * n + c]) {
          c++;
          continue;
        }
        const start = c;
        while (c < n && m.modules[r * n + c]) c++;
        parts.push(`${start} ${y} ${c - start} 1 re`);
      }
    }
    parts.push('f Q');
    this.ops.push(parts.join('\n'));
    this.fill = '';
  }

  image(name: string, x: number, top: number, w: number, h: number): void {
    this.ops.push(`q ${num(w)} 0 0 ${num(h)} ${num(x)} ${num(A4_HEIGHT - top - h)} cm /${name} Do Q`);
  }

  /** Pre-serialised operators (cached static drawing). */
  raw(ops: string): void {
    this.ops.push(ops);
    this.fill = '';
    this.stroke = '';
  }

  content(): string {
    return this.ops.join('\n');
  }

  private setFill(c: Rgb): void {
    const op = c === BLACK ? '0 g' : `${num(c[0])} ${num(c[1])} ${num(c[2])} rg`;
    if (op !== this.fill) {
      this.ops.push(op);
      this.fill = op;
    }
  }

  private setStroke(c: Rgb): void {
    const op = c === BLACK ? '0 G' : `${num(c[0])} ${num(c[1])} ${num(c[2])} RG`;
    if (op !== this.stroke) {
      this.ops.push(op);
      this.stroke = op;
    }
  }
}

export const BLACK: Rgb = [0, 0, 0];

export function measure(text: string, font: FontId, size: number): number {
  return widthOf(toWinAnsi(text), font, size);
}

/** An image XObject ready to be written (already encoded for PDF). */
export interface PdfImage {
  readonly width: number;
  readonly height: number;
  /** the image dictionary entries besides Type/Subtype/Width/Height/Length */
  readonly dict: string;
  readonly data: Uint8Array;
  readonly softMask?: PdfImage;
}

export interface PdfPage {
  readonly content: string;
  readonly usesImage: boolean;
}

const latin1 = (s: string): Uint8Array => {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
};

export interface WriteOptions {
  readonly title: string;
  readonly image?: PdfImage;
  /** zlib level for the page streams (0 = store uncompressed) */
  readonly compression?: number;
}

/** Serialises pages into a PDF file. */
export function writePdf(pages: readonly PdfPage[], opts: WriteOptions): Uint8Array {
  const chunks: Uint8Array[] = [];
  const offsets: number[] = [];
  let length = 0;
  const push = (b: Uint8Array) => {
    chunks.push(b);
    length += b.length;
  };
  const pushStr = (s: string) => push(latin1(s));
  const startObj = (id: number) => {
    offsets[id] = length;
    pushStr(`${id} 0 obj\n`);
  };
  pushStr('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n');

  // 1 catalog, 2 pages, 3 info, 4..6 fonts, 7 image, 8 its soft mask, then 2 objects per page.
  const firstPageObj = 9;
  const kids = pages.map((_, i) => `${firstPageObj + i * 2} 0 R`).join(' ');
  startObj(1);
  pushStr('<< /Type /Catalog /Pages 2 0 R /Lang (it-IT) >>\nendobj\n');
  startObj(2);
  pushStr(`<< /Type /Pages /Count ${pages.length} /Kids [${kids}] >>\nendobj\n`);
  startObj(3);
  pushStr(`<< /Title (${escapePdfString(toWinAnsi(opts.title))}) /Producer (pagopa-municipal-layer notice renderer) >>\nendobj\n`);
  const fonts: [number, string][] = [
    [4, 'Helvetica'],
    [5, 'Helvetica-Bold'],
    [6, 'Courier-Bold'],
  ];
  for (const [id, base] of fonts) {
    startObj(id);
    pushStr(`<< /Type /Font /Subtype /Type1 /BaseFont /${base} /Encoding /WinAnsiEncoding >>\nendobj\n`);
  }
  const writeImage = (id: number, img: PdfImage, smaskId?: number) => {
    startObj(id);
    const sm = smaskId ? ` /SMask ${smaskId} 0 R` : '';
    pushStr(`<< /Type /XObject /Subtype /Image /Width ${img.width} /Height ${img.height} ${img.dict}${sm} /Length ${img.data.length} >>\nstream\n`);
    push(img.data);
    pushStr('\nendstream\nendobj\n');
  };
  if (opts.image) {
    writeImage(7, opts.image, opts.image.softMask ? 8 : undefined);
    if (opts.image.softMask) writeImage(8, opts.image.softMask);
  }
  const resources = `<< /Font << /F1 4 0 R /F2 5 0 R /F3 6 0 R >>${opts.image ? ' /XObject << /Im1 7 0 R >>' : ''} >>`;
  const level = opts.compression ?? 1;
  pages.forEach((page, i) => {
    const pageId = firstPageObj + i * 2;
    startObj(pageId);
    pushStr(
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${num(A4_WIDTH)} ${num(A4_HEIGHT)}] /Resources ${resources} /Contents ${pageId + 1} 0 R >>\nendobj\n`,
    );
    startObj(pageId + 1);
    const raw = latin1(page.content);
    const body = level > 0 ? deflateSync(raw, { level }) : raw;
    pushStr(`<< /Length ${body.length}${level > 0 ? ' /Filter /FlateDecode' : ''} >>\nstream\n`);
    push(body);
    pushStr('\nendstream\nendobj\n');
  });

  const objCount = firstPageObj + pages.length * 2;
  const xrefAt = length;
  let xref = `xref\n0 ${objCount}\n0000000000 65535 f \n`;
  for (let id = 1; id < objCount; id++) {
    const off = offsets[id];
    xref += off === undefined ? '0000000000 65535 f \n' : `${String(off).padStart(10, '0')} 00000 n \n`;
  }
  pushStr(xref);
  pushStr(`trailer\n<< /Size ${objCount} /Root 1 0 R /Info 3 0 R >>\nstartxref\n${xrefAt}\n%%EOF\n`);

  const out = new Uint8Array(length);
  let p = 0;
  for (const c of chunks) {
    out.set(c, p);
    p += c.length;
  }
  return out;
}
