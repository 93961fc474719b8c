/**
 * The creditor's logo as a PDF image XObject: JPEG passes through (DCTDecode); PNG IDAT data is
 * passed through with the PNG predictor when it has no alpha, otherwise it is decoded once and
 * split into colour + soft mask. Results are cached per byte array, since a municipality's logo
 * is the same on every notice it prints.
 */
import { deflateSync, inflateSync } from 'node:zlib';
import type { PdfImage } from './pdf';

export class LogoError extends Error {
  override name = 'LogoError';
}

const cache = new WeakMap<Uint8Array, PdfImage>();

export function logoImage(bytes: Uint8Array, type: 'png' | 'jpeg'): PdfImage {
  const hit = cache.get(bytes);
  if (hit) return hit;
  const img = type === 'jpeg' ? jpegImage(bytes) : pngImage(bytes);
  cache.set(bytes, img);
  return img;
}

function jpegImage(b: Uint8Array): PdfImage {
  if (b[0] !== 0xff || b[1] !== 0xd8) throw new LogoError('logo is not a JPEG file');
  let p = 2;
  while (p + 9 < b.length) {
    if (b[p] !== 0xff) throw new LogoError('logo JPEG is malformed');
    const marker = b[p + 1]!;
    const len = (b[p + 2]! << 8) | b[p + 3]!;
    // SOF0..SOF15 except DHT (C4), JPG (C8), DAC (CC)
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      const height = (b[p + 5]! << 8) | b[p + 6]!;
      const width = (b[p + 7]! << 8) | b[p + 8]!;
      const comps = b[p + 9]!;
      const cs = comps === 1 ? '/DeviceGray' : comps === 4 ? '/DeviceCMYK' : '/DeviceRGB';
      const decode = comps === 4 ? ' /Decode [1 0 1 0 1 0 1 0]' : '';
      return { width, height, dict: `/ColorSpace ${cs} /BitsPerComponent 8 /Filter /DCTDecode${decode}`, data: b };
    }
    p += 2 + len;
  }
  throw new LogoError('logo JPEG has no frame header');
}

function pngImage(b: Uint8Array): PdfImage {
  const sig = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (!sig.every((v, i) => b[i] === v)) throw new LogoError('logo is not a PNG file');
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let p = 8;
  let width = 0;
  let height = 0;
  let depth = 0;
  let colorType = 0;
  let palette: Uint8Array | undefined;
  const idat: Uint8Array[] = [];
  while (p + 8 <= b.length) {
    const len = view.getUint32(p);
    const type = String.fromCharCode(b[p + 4]!, b[p + 5]!, b[p + 6]!, b[p + 7]!);
    const data = b.subarray(p + 8, p + 8 + len);
    if (type === 'IHDR') {
      width = view.getUint32(p + 8);
      height = view.getUint32(p + 12);
      depth = data[8]!;
      colorType = data[9]!;
      if (data[12] !== 0) throw new LogoError('interlaced PNG logos are not supported');
    } else if (type === 'PLTE') palette = data;
    else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    p += 12 + len;
  }
  if (!width || !height || idat.length === 0) throw new LogoError('logo PNG has no image data');
  const compressed = concat(idat);
  const colors = colorType === 2 || colorType === 6 ? 3 : 1;
  if (colorType === 0 || colorType === 2 || colorType === 3) {
    const cs =
      colorType === 3
        ? `[/Indexed /DeviceRGB ${(palette?.length ?? 3) / 3 - 1} <${hex(palette ?? new Uint8Array(3))}>]`
        : colors === 3
          ? '/DeviceRGB'
          : '/DeviceGray';
    return {
      width,
      height,
      dict: `/ColorSpace ${cs} /BitsPerComponent ${depth} /Filter /FlateDecode /DecodeParms << /Predictor 15 /Colors ${colors} /BitsPerComponent ${depth} /Columns ${width} >>`,
      data: compressed,
    };
  }
  if (depth !== 8) throw new LogoError('PNG logos with alpha must have 8-bit channels');
  // Grey+alpha or RGBA: undo the filters and split the alpha channel into a soft mask.
  const channels = colors + 1;
  const raw = unfilter(inflateSync(compressed), width, height, channels);
  const color = new Uint8Array(width * height * colors);
  const alpha = new Uint8Array(width * height);
  for (let i = 0, c = 0; i < width * height; i++) {
    for (let k = 0; k < colors; k++) color[c++] = raw[i * channels + k]!;
    alpha[i] = raw[i * channels + colors]!;
  }
  const flate = (d: Uint8Array) => new Uint8Array(deflateSync(d));
  return {
    width,
    height,
    dict: `/ColorSpace ${colors === 3 ? '/DeviceRGB' : '/DeviceGray'} /BitsPerComponent 8 /Filter /FlateDecode`,
    data: flate(color),
    softMask: { width, height, dict: '/ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode', data: flate(alpha) },
  };
}

function unfilter(data: Uint8Array, width: number, height: number, bpp: number): Uint8Array {
  const stride = width * bpp;
  const out = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = data[y * (stride + 1)]!;
    const src = y * (stride + 1) + 1;
    const dst = y * stride;
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? out[dst + x - bpp]! : 0;
      const up = y > 0 ? out[dst - stride + x]! : 0;
      const c = x >= bpp && y > 0 ? out[dst - stride + x - bpp]! : 0;
      const v = data[src + x]!;
      let r: number;
      switch (filter) {
        case 0: r = v; break;
        case 1: r = v + a; break;
        case 2: r = v + up; break;
        case 3: r = v + ((a + up) >> 1); break;
        case 4: {
          const pa = Math.abs(up - c);
          const pb = Math.abs(a - c);
          const pc = Math.abs(a + up - 2 * c);
          r = v + (pa <= pb && pa <= pc ? a : pb <= pc ? up : c);
          break;
        }
        default: throw new LogoError(`PNG filter ${filter} is not valid`);
      }
      out[dst + x] = r & 0xff;
    }
  }
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function hex(b: Uint8Array): string {
  let s = '';
  for (const v of b) s += v.toString(16).padStart(2, '0');
  return s;
}
