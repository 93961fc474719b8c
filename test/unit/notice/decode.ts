/**
 * Test helper: an independent barcode reader (zxing-cpp compiled to WebAssembly, via zxing-wasm)
 * and poppler's pdftoppm / pdftotext. Nothing here shares code with the encoders under test.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prepareZXingModule, readBarcodes, type ReadResult } from 'zxing-wasm/reader';

const require = createRequire(import.meta.url);
let prepared: Promise<unknown> | null = null;

function prepare(): Promise<unknown> {
  if (!prepared) {
    const wasmPath = require.resolve('zxing-wasm/reader/zxing_reader.wasm');
    const wasmBinary = readFileSync(wasmPath);
    prepared = prepareZXingModule({
      overrides: { wasmBinary: wasmBinary.buffer.slice(wasmBinary.byteOffset, wasmBinary.byteOffset + wasmBinary.byteLength) },
      fireImmediately: true,
    });
  }
  return prepared;
}

export interface Gray {
  width: number;
  height: number;
  /** one byte per pixel */
  pixels: Uint8Array;
}

/** Reads QR codes and Data Matrix symbols from a grayscale image. */
export async function decodeBarcodes(image: Gray): Promise<ReadResult[]> {
  await prepare();
  const rgba = new Uint8ClampedArray(image.width * image.height * 4);
  for (let i = 0; i < image.pixels.length; i++) {
    const v = image.pixels[i]!;
    rgba[i * 4] = v;
    rgba[i * 4 + 1] = v;
    rgba[i * 4 + 2] = v;
    rgba[i * 4 + 3] = 255;
  }
  const imageData = { data: rgba, width: image.width, height: image.height, colorSpace: 'srgb' } as unknown as Parameters<typeof readBarcodes>[0];
  return readBarcodes(imageData, { formats: ['QRCode', 'DataMatrix'], maxNumberOfSymbols: 16, tryHarder: true });
}

/** Parses a binary PGM (P5, maxval 255). */
export function parsePgm(bytes: Uint8Array): Gray {
  let pos = 0;
  const tokens: string[] = [];
  while (tokens.length < 4) {
    while (bytes[pos] === 0x20 || bytes[pos] === 0x0a || bytes[pos] === 0x0d || bytes[pos] === 0x09) pos++;
    if (bytes[pos] === 0x23) {
      while (bytes[pos] !== 0x0a) pos++;
      continue;
    }
    let t = '';
    while (pos < bytes.length && bytes[pos]! > 0x20) t += String.fromCharCode(bytes[pos++]!);
    tokens.push(t);
  }
  pos++;
  if (tokens[0] !== 'P5' || tokens[3] !== '255') throw new Error(`not an 8-bit PGM: ${tokens.join(' ')}`);
  const width = Number(tokens[1]);
  const height = Number(tokens[2]);
  return { width, height, pixels: bytes.subarray(pos, pos + width * height) };
}

/** Rasterises every page of a PDF with poppler's pdftoppm (grayscale). */
export function rasterisePdf(pdf: Uint8Array, dpi = 200): Gray[] {
  const dir = mkdtempSync(join(tmpdir(), 'notice-test-'));
  try {
    const file = join(dir, 'n.pdf');
    writeFileSync(file, pdf);
    execFileSync('pdftoppm', ['-r', String(dpi), '-gray', file, join(dir, 'p')]);
    const pages: Gray[] = [];
    const names = execFileSync('ls', [dir]).toString().split('\n').filter((n) => n.endsWith('.pgm')).sort();
    for (const name of names) pages.push(parsePgm(new Uint8Array(readFileSync(join(dir, name)))));
    return pages;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Extracts the text of every page with poppler's pdftotext (-layout keeps rows together). */
export function pdfText(pdf: Uint8Array, layout = false): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'notice-text-'));
  try {
    const file = join(dir, 'n.pdf');
    writeFileSync(file, pdf);
    const args = layout ? ['-layout', '-enc', 'UTF-8', file, '-'] : ['-enc', 'UTF-8', file, '-'];
    return execFileSync('pdftotext', args).toString('utf8').split('\f').slice(0, -1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A module matrix drawn as a grayscale image (scale px per module, 4-module quiet zone). */
export function matrixToGray(matrix: { size: number; modules: Uint8Array }, scale = 4): Gray {
  const quiet = 4;
  const side = (matrix.size + quiet * 2) * scale;
  const pixels = new Uint8Array(side * side).fill(255);
  for (let y = 0; y < matrix.size; y++) {
    for (let x = 0; x < matrix.size; x++) {
      if (!matrix.modules[y * matrix.size + x]) continue;
      for (let dy = 0; dy < scale; dy++) {
        const row = (y + quiet) * scale + dy;
        pixels.fill(0, row * side + (x + quiet) * scale, row * side + (x + quiet + 1) * scale);
      }
    }
  }
  return { width: side, height: side, pixels };
}
