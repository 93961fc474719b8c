/**
 * Renders example notices to ./notice-previews/ as PDF and PNG (poppler's pdftoppm), to look at
 * them next to pagoPA's official layout.  Run: npx tsx scripts/notice-preview.ts
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { join } from 'node:path';
import { renderNotice } from '../shared/notice';
import type { NoticeDocument } from '../shared/notice';
import {
  installmentsOnlyNotice,
  installmentsPosteNotice,
  noDueDateNotice,
  singleNotice,
} from '../test/fixtures/notice/examples';

/** A small coat-of-arms-like RGBA PNG made here, so the preview needs no file. */
export function sampleLogoPng(size = 96): Uint8Array {
  const raw = new Uint8Array(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0;
    for (let x = 0; x < size; x++) {
      const o = y * (size * 4 + 1) + 1 + x * 4;
      const inShield = y < size * 0.55 ? Math.abs(x - size / 2) < size * 0.4 : Math.hypot(x - size / 2, y - size * 0.55) < size * 0.4;
      const stripe = Math.floor(x / (size / 6)) % 2 === 0;
      raw[o] = stripe ? 0 : 200;
      raw[o + 1] = stripe ? 102 : 30;
      raw[o + 2] = stripe ? 204 : 40;
      raw[o + 3] = inShield ? 255 : 0;
    }
  }
  const chunk = (type: string, data: Uint8Array) => {
    const out = new Uint8Array(12 + data.length);
    const view = new DataView(out.buffer);
    view.setUint32(0, data.length);
    for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
    out.set(data, 8);
    view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
    return out;
  };
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, size);
  v.setUint32(4, size);
  ihdr.set([8, 6, 0, 0, 0], 8);
  const parts = [
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', new Uint8Array(deflateSync(raw))),
    chunk('IEND', new Uint8Array(0)),
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

export const previewExamples: Record<string, NoticeDocument> = {
  'rata-unica': singleNotice,
  'rate-3-poste': installmentsPosteNotice,
  'solo-rate': installmentsOnlyNotice,
  'senza-scadenza': noDueDateNotice,
  'con-logo': { ...singleNotice, creditor: { ...singleNotice.creditor, logo: { bytes: sampleLogoPng(), type: 'png' } } },
};

function main(): void {
  const dir = join(process.cwd(), 'notice-previews');
  mkdirSync(dir, { recursive: true });
  for (const [name, doc] of Object.entries(previewExamples)) {
    const pdf = renderNotice(doc);
    const file = join(dir, `${name}.pdf`);
    writeFileSync(file, pdf);
    let png = '';
    try {
      execFileSync('pdftoppm', ['-r', '80', '-png', file, join(dir, name)]);
      png = ` → ${name}-*.png`;
    } catch {
      png = ' (pdftoppm missing: apt-get install poppler-utils for PNGs)';
    }
    console.log(`${file}  ${pdf.length} bytes${png}`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) main();
