/**
 * Reed–Solomon over GF(256), shared by the QR encoder (field polynomial 0x11D, generator roots
 * α^0..α^(n-1)) and the Data Matrix encoder (0x12D, roots α^1..α^n).
 */

const tables = new Map<number, { exp: Uint8Array; log: Uint8Array }>();

function tablesFor(poly: number): { exp: Uint8Array; log: Uint8Array } {
  let t = tables.get(poly);
  if (!t) {
    const exp = new Uint8Array(512);
    const log = new Uint8Array(256);
    let x = 1;
    for (let i = 0; i < 255; i++) {
      exp[i] = x;
      log[x] = i;
      x <<= 1;
      if (x & 0x100) x ^= poly;
    }
    for (let i = 255; i < 512; i++) exp[i] = exp[i - 255]!;
    t = { exp, log };
    tables.set(poly, t);
  }
  return t;
}

export function gfMultiply(a: number, b: number, poly: number): number {
  if (a === 0 || b === 0) return 0;
  const { exp, log } = tablesFor(poly);
  return exp[log[a]! + log[b]!]!;
}

/**
 * Generator polynomial of `degree`, roots α^first..α^(first+degree-1), coefficients from the
 * highest power down, leading 1 omitted (length = degree).
 */
export function makeGenerator(degree: number, poly: number, first: number): Uint8Array {
  const { exp } = tablesFor(poly);
  // g(x) = Π (x - α^(first+i)); in characteristic 2, minus is plus.
  let g = new Uint8Array([1]);
  for (let i = 0; i < degree; i++) {
    const root = exp[(first + i) % 255]!;
    const next = new Uint8Array(g.length + 1);
    for (let j = 0; j < g.length; j++) {
      next[j] = next[j]! ^ g[j]!;
      next[j + 1] = next[j + 1]! ^ gfMultiply(g[j]!, root, poly);
    }
    g = next;
  }
  return g.subarray(1);
}

/** The `generator.length` check codewords of `data` (polynomial division remainder). */
export function reedSolomonRemainder(data: Uint8Array, generator: Uint8Array, poly: number): Uint8Array {
  const { exp, log } = tablesFor(poly);
  const n = generator.length;
  const rem = new Uint8Array(n);
  for (let i = 0; i < data.length; i++) {
    const factor = data[i]! ^ rem[0]!;
    rem.copyWithin(0, 1);
    rem[n - 1] = 0;
    if (factor !== 0) {
      const lf = log[factor]!;
      for (let j = 0; j < n; j++) {
        const g = generator[j]!;
        if (g !== 0) rem[j] = rem[j]! ^ exp[log[g]! + lf]!;
      }
    }
  }
  return rem;
}
