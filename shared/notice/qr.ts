/**
 * A small QR code encoder (ISO/IEC 18004), byte mode, error correction level M, versions 4..6:
 * enough for the pagoPA payload `PAGOPA|002|<nav>|<fiscal code>|<cents>` (44..53 bytes), which
 * the notice guide wants as version 4 (33×33 modules). Returns the module matrix; the renderer
 * draws it as vector rectangles.
 */
import { reedSolomonRemainder, makeGenerator } from './reed-solomon';

export interface ModuleMatrix {
  /** modules per side */
  readonly size: number;
  /** row-major, 1 = dark */
  readonly modules: Uint8Array;
}

interface VersionSpec {
  readonly version: number;
  readonly ecPerBlock: number;
  readonly blocks: number;
  readonly totalCodewords: number;
  readonly alignment: readonly number[];
}

// Level M only (ISO/IEC 18004 table 9).
const VERSIONS: readonly VersionSpec[] = [
  { version: 4, ecPerBlock: 18, blocks: 2, totalCodewords: 100, alignment: [6, 26] },
  { version: 5, ecPerBlock: 24, blocks: 2, totalCodewords: 134, alignment: [6, 30] },
  { version: 6, ecPerBlock: 16, blocks: 4, totalCodewords: 172, alignment: [6, 34] },
];

const QR_FIELD_POLY = 0x11d;
const generators = new Map<number, Uint8Array>();
function generatorFor(degree: number): Uint8Array {
  let g = generators.get(degree);
  if (!g) {
    g = makeGenerator(degree, QR_FIELD_POLY, 0);
    generators.set(degree, g);
  }
  return g;
}

/** Encodes `text` (ISO-8859-1 / ASCII) in byte mode at level M, smallest version from 4 up. */
export function encodeQr(text: string): ModuleMatrix {
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0xff) throw new RangeError('QR payload must be Latin-1');
    bytes[i] = c;
  }
  for (const spec of VERSIONS) {
    const dataCodewords = spec.totalCodewords - spec.ecPerBlock * spec.blocks;
    if (4 + 8 + bytes.length * 8 <= dataCodewords * 8) return build(spec, bytes, dataCodewords);
  }
  throw new RangeError(`QR payload of ${bytes.length} bytes does not fit version 6-M`);
}

function build(spec: VersionSpec, bytes: Uint8Array, dataCodewords: number): ModuleMatrix {
  // Data bit stream: mode 0100, 8-bit count, bytes, terminator, pad.
  const data = new Uint8Array(dataCodewords);
  let bitLen = 0;
  const put = (value: number, n: number) => {
    for (let i = n - 1; i >= 0; i--, bitLen++) {
      if ((value >>> i) & 1) data[bitLen >>> 3]! |= 0x80 >>> (bitLen & 7);
    }
  };
  put(0b0100, 4);
  put(bytes.length, 8);
  for (const b of bytes) put(b, 8);
  const capacityBits = dataCodewords * 8;
  put(0, Math.min(4, capacityBits - bitLen));
  bitLen = (bitLen + 7) & ~7;
  for (let pad = 0xec; bitLen < capacityBits; pad ^= 0xec ^ 0x11) put(pad, 8);

  // Blocks (all equal length for M at versions 4..6) and interleaving.
  const perBlock = dataCodewords / spec.blocks;
  const gen = generatorFor(spec.ecPerBlock);
  const codewords = new Uint8Array(spec.totalCodewords);
  let k = 0;
  const ecBlocks: Uint8Array[] = [];
  for (let b = 0; b < spec.blocks; b++) {
    ecBlocks.push(reedSolomonRemainder(data.subarray(b * perBlock, (b + 1) * perBlock), gen, QR_FIELD_POLY));
  }
  for (let i = 0; i < perBlock; i++) for (let b = 0; b < spec.blocks; b++) codewords[k++] = data[b * perBlock + i]!;
  for (let i = 0; i < spec.ecPerBlock; i++) for (let b = 0; b < spec.blocks; b++) codewords[k++] = ecBlocks[b]![i]!;

  const size = spec.version * 4 + 17;
  const base = new Uint8Array(size * size);
  const isFunction = new Uint8Array(size * size);
  const setFn = (x: number, y: number, dark: boolean) => {
    base[y * size + x] = dark ? 1 : 0;
    isFunction[y * size + x] = 1;
  };
  drawFunctionPatterns(size, spec, setFn);
  drawFormatBits(size, 0, setFn); // reserve the format area
  drawCodewords(size, codewords, base, isFunction);

  let best: Uint8Array | null = null;
  let bestPenalty = Infinity;
  for (let mask = 0; mask < 8; mask++) {
    const candidate = base.slice();
    applyMask(size, mask, candidate, isFunction);
    drawFormatBits(size, mask, (x, y, dark) => {
      candidate[y * size + x] = dark ? 1 : 0;
    });
    const penalty = penaltyScore(size, candidate);
    if (penalty < bestPenalty) {
      bestPenalty = penalty;
      best = candidate;
    }
  }
  return { size, modules: best! };
}

type SetFn = (x: number, y: number, dark: boolean) => void;

function drawFunctionPatterns(size: number, spec: VersionSpec, setFn: SetFn): void {
  for (let i = 0; i < size; i++) {
    setFn(6, i, i % 2 === 0);
    setFn(i, 6, i % 2 === 0);
  }
  for (const [cx, cy] of [
    [3, 3],
    [size - 4, 3],
    [3, size - 4],
  ] as const) {
    for (let dy = -4; dy <= 4; dy++) {
      for (let dx = -4; dx <= 4; dx++) {
        const x = cx + dx;
        const y = cy + dy;
        if (x < 0 || y < 0 || x >= size || y >= size) continue;
        const dist = Math.max(Math.abs(dx), Math.abs(dy));
        setFn(x, y, dist !== 2 && dist !== 4);
      }
    }
  }
  const pos = spec.alignment;
  const last = pos.length - 1;
  for (let i = 0; i <= last; i++) {
    for (let j = 0; j <= last; j++) {
      if ((i === 0 && j === 0) || (i === 0 && j === last) || (i === last && j === 0)) continue;
      for (let dy = -2; dy <= 2; dy++) {
        for (let dx = -2; dx <= 2; dx++) setFn(pos[i]! + dx, pos[j]! + dy, Math.max(Math.abs(dx), Math.abs(dy)) !== 1);
      }
    }
  }
}

/** Level M has format bits 00. */
function drawFormatBits(size: number, mask: number, setFn: SetFn): void {
  const data = mask; // (ecl M = 0b00) << 3 | mask
  let rem = data;
  for (let i = 0; i < 10; i++) rem = (rem << 1) ^ ((rem >>> 9) * 0x537);
  const bits = ((data << 10) | rem) ^ 0x5412;
  const bit = (i: number) => ((bits >>> i) & 1) === 1;
  for (let i = 0; i <= 5; i++) setFn(8, i, bit(i));
  setFn(8, 7, bit(6));
  setFn(8, 8, bit(7));
  setFn(7, 8, bit(8));
  for (let i = 9; i < 15; i++) setFn(14 - i, 8, bit(i));
  for (let i = 0; i < 8; i++) setFn(size - 1 - i, 8, bit(i));
  for (let i = 8; i < 15; i++) setFn(8, size - 15 + i, bit(i));
  setFn(8, size - 8, true);
}

function drawCodewords(size: number, codewords: Uint8Array, out: Uint8Array, isFunction: Uint8Array): void {
  const totalBits = codewords.length * 8;
  let i = 0;
  for (let right = size - 1; right >= 1; right -= 2) {
    if (right === 6) right = 5;
    const upward = ((right + 1) & 2) === 0;
    for (let vert = 0; vert < size; vert++) {
      const y = upward ? size - 1 - vert : vert;
      for (let j = 0; j < 2; j++) {
        const x = right - j;
        const idx = y * size + x;
        if (isFunction[idx]) continue;
        if (i < totalBits) {
          out[idx] = (codewords[i >>> 3]! >>> (7 - (i & 7))) & 1;
          i++;
        }
      }
    }
  }
}

function maskBit(mask: number, x: number, y: number): boolean {
  switch (mask) {
    case 0: return (x + y) % 2 === 0;
    case 1: return y % 2 === 0;
    case 2: return x % 3 === 0;
    case 3: return (x + y) % 3 === 0;
    case 4: return (Math.floor(x / 3) + Math.floor(y / 2)) % 2 === 0;
    case 5: return ((x * y) % 2) + ((x * y) % 3) === 0;
    case 6: return (((x * y) % 2) + ((x * y) % 3)) % 2 === 0;
    default: return (((x + y) % 2) + ((x * y) % 3)) % 2 === 0;
  }
}

/** The 8 mask patterns of a symbol size, computed once. */
const maskCache = new Map<number, Uint8Array[]>();
function maskPatterns(size: number): Uint8Array[] {
  let masks = maskCache.get(size);
  if (!masks) {
    masks = [];
    for (let mask = 0; mask < 8; mask++) {
      const m = new Uint8Array(size * size);
      for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) m[y * size + x] = maskBit(mask, x, y) ? 1 : 0;
      masks.push(m);
    }
    maskCache.set(size, masks);
  }
  return masks;
}

function applyMask(size: number, mask: number, modules: Uint8Array, isFunction: Uint8Array): void {
  const pattern = maskPatterns(size)[mask]!;
  for (let i = 0; i < modules.length; i++) modules[i] = modules[i]! ^ (pattern[i]! & (isFunction[i]! ^ 1));
}

/** ISO/IEC 18004 §7.8.3 penalty (N1 runs, N2 blocks, N3 finder-like, N4 balance). */
function penaltyScore(size: number, m: Uint8Array): number {
  let score = 0;
  for (let pass = 0; pass < 2; pass++) {
    // pass 0 walks rows, pass 1 columns: index = a*outer + b*inner
    const outer = pass === 0 ? size : 1;
    const inner = pass === 0 ? 1 : size;
    for (let a = 0; a < size; a++) {
      let runColor = -1;
      let runLen = 0;
      let window = 0; // last 11 modules as bits; light beyond the symbol
      const base = a * outer;
      for (let b = 0; b < size + 4; b++) {
        let v = 0;
        if (b < size) {
          v = m[base + b * inner]!;
          if (v === runColor) {
            runLen++;
            if (runLen === 5) score += 3;
            else if (runLen > 5) score++;
          } else {
            runColor = v;
            runLen = 1;
          }
        }
        window = ((window << 1) | v) & 0x7ff;
        if (b >= 10 && (window === 0b10111010000 || window === 0b00001011101)) score += 40;
      }
    }
  }
  let dark = 0;
  for (let y = 0; y < size; y++) {
    const row = y * size;
    for (let x = 0; x < size; x++) {
      const c = m[row + x]!;
      dark += c;
      if (x < size - 1 && y < size - 1) {
        const i = row + x;
        if (c === m[i + 1] && c === m[i + size] && c === m[i + size + 1]) score += 3;
      }
    }
  }
  const total = size * size;
  const k = Math.ceil(Math.abs(dark * 20 - total * 10) / total) - 1;
  score += Math.max(0, k) * 10;
  return score;
}
