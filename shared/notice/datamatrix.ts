/**
 * A small Data Matrix ECC 200 encoder (ISO/IEC 16022), square symbols 10×10..104×104, ASCII
 * encodation (digit pairs) with C40 runs for upper-case text: the Poste codeline (~256 chars,
 * mostly digits and upper-case letters) fits a 52×52 symbol. Returns the module matrix.
 */
import type { ModuleMatrix } from './qr';
import { makeGenerator, reedSolomonRemainder } from './reed-solomon';

interface SymbolSpec {
  readonly size: number;
  /** data region side */
  readonly region: number;
  readonly dataCodewords: number;
  readonly ecCodewords: number;
  readonly blocks: number;
}

// ISO/IEC 16022 table 7, square symbols.
const SYMBOLS: readonly SymbolSpec[] = [
  { size: 10, region: 8, dataCodewords: 3, ecCodewords: 5, blocks: 1 },
  { size: 12, region: 10, dataCodewords: 5, ecCodewords: 7, blocks: 1 },
  { size: 14, region: 12, dataCodewords: 8, ecCodewords: 10, blocks: 1 },
  { size: 16, region: 14, dataCodewords: 12, ecCodewords: 12, blocks: 1 },
  { size: 18, region: 16, dataCodewords: 18, ecCodewords: 14, blocks: 1 },
  { size: 20, region: 18, dataCodewords: 22, ecCodewords: 18, blocks: 1 },
  { size: 22, region: 20, dataCodewords: 30, ecCodewords: 20, blocks: 1 },
  { size: 24, region: 22, dataCodewords: 36, ecCodewords: 24, blocks: 1 },
  { size: 26, region: 24, dataCodewords: 44, ecCodewords: 28, blocks: 1 },
  { size: 32, region: 14, dataCodewords: 62, ecCodewords: 36, blocks: 1 },
  { size: 36, region: 16, dataCodewords: 86, ecCodewords: 42, blocks: 1 },
  { size: 40, region: 18, dataCodewords: 114, ecCodewords: 48, blocks: 1 },
  { size: 44, region: 20, dataCodewords: 144, ecCodewords: 56, blocks: 1 },
  { size: 48, region: 22, dataCodewords: 174, ecCodewords: 68, blocks: 1 },
  { size: 52, region: 24, dataCodewords: 204, ecCodewords: 84, blocks: 2 },
  { size: 64, region: 14, dataCodewords: 280, ecCodewords: 112, blocks: 2 },
  { size: 72, region: 16, dataCodewords: 368, ecCodewords: 144, blocks: 4 },
  { size: 80, region: 18, dataCodewords: 456, ecCodewords: 192, blocks: 4 },
  { size: 88, region: 20, dataCodewords: 576, ecCodewords: 224, blocks: 4 },
  { size: 96, region: 22, dataCodewords: 696, ecCodewords: 272, blocks: 4 },
  { size: 104, region: 24, dataCodewords: 816, ecCodewords: 336, blocks: 6 },
];

const DM_FIELD_POLY = 0x12d;
const LATCH_C40 = 230;
const UNLATCH = 254;
const PAD = 129;

/** C40 basic set value of a character, or -1. */
function c40Value(c: number): number {
  if (c === 32) return 3;
  if (c >= 48 && c <= 57) return c - 44;
  if (c >= 65 && c <= 90) return c - 51;
  return -1;
}
const isDigit = (c: number) => c >= 48 && c <= 57;

/** Data codewords for `text` (ASCII only). */
export function encodeDataMatrixCodewords(text: string): number[] {
  const out: number[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c > 127) throw new RangeError('Data Matrix payload must be ASCII');
    if (isDigit(c) && i + 1 < n && isDigit(text.charCodeAt(i + 1))) {
      out.push(130 + (c - 48) * 10 + (text.charCodeAt(i + 1) - 48));
      i += 2;
      continue;
    }
    // A run of C40 basic characters that is not a digit run: 3 chars in 2 codewords.
    let run = 0;
    while (i + run < n && c40Value(text.charCodeAt(i + run)) >= 0) run++;
    const usable = run - (run % 3);
    if (usable >= 6) {
      out.push(LATCH_C40);
      for (let k = 0; k < usable; k += 3) {
        const v =
          1600 * c40Value(text.charCodeAt(i + k)) +
          40 * c40Value(text.charCodeAt(i + k + 1)) +
          c40Value(text.charCodeAt(i + k + 2)) +
          1;
        out.push(v >>> 8, v & 0xff);
      }
      out.push(UNLATCH);
      i += usable;
      continue;
    }
    out.push(c + 1);
    i++;
  }
  return out;
}

export function encodeDataMatrix(text: string): ModuleMatrix {
  const data = encodeDataMatrixCodewords(text);
  const spec = SYMBOLS.find((s) => s.dataCodewords >= data.length);
  if (!spec) throw new RangeError(`Data Matrix payload needs ${data.length} codewords, more than 816`);
  // Padding: the first pad is 129, the next ones are 253-state randomised by 1-based position.
  if (data.length < spec.dataCodewords) data.push(PAD);
  while (data.length < spec.dataCodewords) {
    const pos = data.length + 1;
    let v = PAD + ((149 * pos) % 253) + 1;
    if (v > 254) v -= 254;
    data.push(v);
  }
  const codewords = withErrorCorrection(data, spec);
  return place(codewords, spec);
}

const generators = new Map<number, Uint8Array>();

function withErrorCorrection(data: number[], spec: SymbolSpec): Uint8Array {
  const { blocks } = spec;
  const ecPerBlock = spec.ecCodewords / blocks;
  let gen = generators.get(ecPerBlock);
  if (!gen) {
    gen = makeGenerator(ecPerBlock, DM_FIELD_POLY, 1);
    generators.set(ecPerBlock, gen);
  }
  const total = spec.dataCodewords + spec.ecCodewords;
  const out = new Uint8Array(total);
  for (let i = 0; i < spec.dataCodewords; i++) out[i] = data[i]!;
  for (let b = 0; b < blocks; b++) {
    const blockData: number[] = [];
    for (let i = b; i < spec.dataCodewords; i += blocks) blockData.push(data[i]!);
    const ec = reedSolomonRemainder(Uint8Array.from(blockData), gen, DM_FIELD_POLY);
    for (let i = 0; i < ecPerBlock; i++) out[spec.dataCodewords + b + i * blocks] = ec[i]!;
  }
  return out;
}

/** ISO/IEC 16022 annex F placement, then data regions with their finder and clock patterns. */
function place(codewords: Uint8Array, spec: SymbolSpec): ModuleMatrix {
  const regionsPerSide = spec.size / (spec.region + 2);
  const nrow = spec.region * regionsPerSide;
  const ncol = nrow;
  // cell = 10*codeword(1-based) + bit(1..8); 1 = fixed dark, 0 = unset / light
  const grid = new Int32Array(nrow * ncol);
  const module = (row: number, col: number, chr: number, bit: number) => {
    if (row < 0) {
      row += nrow;
      col += 4 - ((nrow + 4) % 8);
    }
    if (col < 0) {
      col += ncol;
      row += 4 - ((ncol + 4) % 8);
    }
    grid[row * ncol + col] = 10 * chr + bit;
  };
  const utah = (row: number, col: number, chr: number) => {
    module(row - 2, col - 2, chr, 1);
    module(row - 2, col - 1, chr, 2);
    module(row - 1, col - 2, chr, 3);
    module(row - 1, col - 1, chr, 4);
    module(row - 1, col, chr, 5);
    module(row, col - 2, chr, 6);
    module(row, col - 1, chr, 7);
    module(row, col, chr, 8);
  };
  const corner = (chr: number, cells: readonly (readonly [number, number])[]) => {
    cells.forEach(([r, c], k) => module(r, c, chr, k + 1));
  };
  let chr = 1;
  let row = 4;
  let col = 0;
  do {
    if (row === nrow && col === 0)
      corner(chr++, [[nrow - 1, 0], [nrow - 1, 1], [nrow - 1, 2], [0, ncol - 2], [0, ncol - 1], [1, ncol - 1], [2, ncol - 1], [3, ncol - 1]]);
    if (row === nrow - 2 && col === 0 && ncol % 4 !== 0)
      corner(chr++, [[nrow - 3, 0], [nrow - 2, 0], [nrow - 1, 0], [0, ncol - 4], [0, ncol - 3], [0, ncol - 2], [0, ncol - 1], [1, ncol - 1]]);
    if (row === nrow - 2 && col === 0 && ncol % 8 === 4)
      corner(chr++, [[nrow - 3, 0], [nrow - 2, 0], [nrow - 1, 0], [0, ncol - 2], [0, ncol - 1], [1, ncol - 1], [2, ncol - 1], [3, ncol - 1]]);
    if (row === nrow + 4 && col === 2 && ncol % 8 === 0)
      corner(chr++, [[nrow - 1, 0], [nrow - 1, ncol - 1], [0, ncol - 3], [0, ncol - 2], [0, ncol - 1], [1, ncol - 3], [1, ncol - 2], [1, ncol - 1]]);
    do {
      if (row < nrow && col >= 0 && grid[row * ncol + col] === 0) utah(row, col, chr++);
      row -= 2;
      col += 2;
    } while (row >= 0 && col < ncol);
    row += 1;
    col += 3;
    do {
      if (row >= 0 && col < ncol && grid[row * ncol + col] === 0) utah(row, col, chr++);
      row += 2;
      col -= 2;
    } while (row < nrow && col >= 0);
    row += 3;
    col += 1;
  } while (row < nrow || col < ncol);
  if (grid[nrow * ncol - 1] === 0) {
    grid[nrow * ncol - 1] = 1;
    grid[nrow * ncol - ncol - 2] = 1;
  }

  const size = spec.size;
  const modules = new Uint8Array(size * size);
  const B = spec.region + 2;
  for (let br = 0; br < regionsPerSide; br++) {
    for (let bc = 0; bc < regionsPerSide; bc++) {
      const r0 = br * B;
      const c0 = bc * B;
      for (let i = 0; i < B; i++) {
        modules[(r0 + B - 1) * size + c0 + i] = 1; // bottom solid
        modules[(r0 + i) * size + c0] = 1; // left solid
        if (i % 2 === 0) modules[r0 * size + c0 + i] = 1; // top clock
        if (i % 2 === 1) modules[(r0 + i) * size + c0 + B - 1] = 1; // right clock
      }
    }
  }
  const R = spec.region;
  for (let mr = 0; mr < nrow; mr++) {
    const sr = mr + 1 + 2 * Math.floor(mr / R);
    for (let mc = 0; mc < ncol; mc++) {
      const v = grid[mr * ncol + mc]!;
      let dark = false;
      if (v === 1) dark = true;
      else if (v >= 10) {
        const cw = codewords[Math.floor(v / 10) - 1]!;
        const bit = v % 10;
        dark = ((cw >>> (8 - bit)) & 1) === 1;
      }
      if (dark) modules[sr * size + mc + 1 + 2 * Math.floor(mc / R)] = 1;
    }
  }
  return { size, modules };
}
