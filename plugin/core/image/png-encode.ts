import { promisify } from 'node:util';
import { deflate, deflateSync } from 'node:zlib';
import type { RgbaImage } from './bitmap.js';
import { zlibSliced, zlibSlicedSync } from './zlib-slices.js';

/**
 * A compact, lossless, deterministic PNG writer for atlas pages. Pixel art rarely has more than 256
 * colours, so a page is written with a palette (PLTE + tRNS, at the smallest bit depth that holds
 * it) when it can be, and as RGBA otherwise. Each candidate filtering is compressed and the smallest
 * file kept; zlib at a fixed level gives the same bytes for the same pixels every time.
 */
export function encodePngCompact(image: RgbaImage, opts: { effort?: PngEffort } = {}): Uint8Array {
  const candidates = candidatesOf(image, opts.effort ?? 'small');
  let best: Compressed | undefined;
  for (const c of candidates) {
    const idat = deflateSync(c.raw, TRIAL);
    if (!best || idat.length < best.idat.length) best = { ...c, idat };
  }
  if ((opts.effort ?? 'small') === 'small') best!.idat = zlibSlicedSync(best!.raw, FINAL);
  return assemble(best!);
}

/**
 * The same bytes as `encodePngCompact`, with the compression on libuv's thread pool: pages
 * encoded together compress side by side on every core (the filters still run here).
 */
export async function encodePngCompactAsync(image: RgbaImage, opts: { effort?: PngEffort } = {}): Promise<Uint8Array> {
  const candidates = candidatesOf(image, opts.effort ?? 'small');
  const trials = await Promise.all(candidates.map((c) => deflateAsync(c.raw, TRIAL)));
  let best: Compressed | undefined;
  candidates.forEach((c, i) => {
    if (!best || trials[i]!.length < best.idat.length) best = { ...c, idat: trials[i]! };
  });
  if ((opts.effort ?? 'small') === 'small') best!.idat = await zlibSliced(best!.raw, FINAL);
  return assemble(best!);
}

// zlib's level 9 costs ~4x level 6 on these pages for ~4% fewer bytes: candidates are compared
// at level 6, and only the winner is compressed again at 9, when the output is for shipping, in
// slices that compress side by side (zlib-slices.ts).
const TRIAL = { level: 6 };
const FINAL = { level: 9, memLevel: 9 };
const deflateAsync = promisify(deflate);

type Compressed = Candidate & { idat: Buffer };

function candidatesOf(image: RgbaImage, effort: PngEffort): Candidate[] {
  const palette = buildPalette(image);
  // Adaptive filtering on pixel art rarely beats no filter: `fast` (a page re-encoded on every dev
  // edit) tries no filter only. The order breaks ties between equally small candidates.
  return palette
    ? indexedCandidates(image, palette, effort === 'fast' ? ['none'] : ['none', 'adaptive'])
    : rgbaCandidates(image, effort === 'fast' ? ['none'] : ['adaptive', 'none']);
}

function assemble(best: Compressed): Uint8Array {
  const chunks: Uint8Array[] = [PNG_SIGNATURE, chunk('IHDR', best.ihdr)];
  if (best.plte) chunks.push(chunk('PLTE', best.plte));
  if (best.trns && best.trns.length > 0) chunks.push(chunk('tRNS', best.trns));
  chunks.push(chunk('IDAT', best.idat), chunk('IEND', new Uint8Array(0)));
  return concat(chunks);
}

/** `small`: the smallest file we find (builds); `fast`: a little larger, several times quicker (dev). */
export type PngEffort = 'small' | 'fast';

type FilterMode = 'none' | 'adaptive';

const PNG_SIGNATURE = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

interface Palette {
  /** RGBA colours; the non-opaque ones first so tRNS can stop at the last of them. */
  colours: number[];
  indexOf: Map<number, number>;
}

/** The page's colours in a fixed order (translucent first, then by value), or undefined past 256. */
function buildPalette(image: RgbaImage): Palette | undefined {
  const seen = new Set<number>();
  const view = new DataView(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  for (let i = 0; i < image.data.length; i += 4) {
    seen.add(view.getUint32(i));
    if (seen.size > 256) return undefined;
  }
  const colours = [...seen].sort((a, b) => {
    const ta = (a & 0xff) < 255 ? 0 : 1;
    const tb = (b & 0xff) < 255 ? 0 : 1;
    return ta - tb || a - b;
  });
  return { colours, indexOf: new Map(colours.map((c, i) => [c, i])) };
}

interface Candidate { ihdr: Uint8Array; raw: Uint8Array; plte?: Uint8Array; trns?: Uint8Array }

function ihdr(width: number, height: number, depth: number, colourType: number): Uint8Array {
  const out = new Uint8Array(13);
  const view = new DataView(out.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  out[8] = depth;
  out[9] = colourType;
  return out;
}

function indexedCandidates(image: RgbaImage, palette: Palette, filters: readonly FilterMode[]): Candidate[] {
  const n = palette.colours.length;
  const depth = n <= 2 ? 1 : n <= 4 ? 2 : n <= 16 ? 4 : 8;
  const { width, height } = image;
  const stride = Math.ceil((width * depth) / 8);
  const rows = new Uint8Array(stride * height);
  const view = new DataView(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  const perByte = 8 / depth;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const index = palette.indexOf.get(view.getUint32((y * width + x) * 4))!;
      const byte = y * stride + Math.floor(x / perByte);
      const shift = 8 - depth * ((x % perByte) + 1);
      rows[byte] = rows[byte]! | (index << shift);
    }
  }
  const plte = new Uint8Array(n * 3);
  const translucent = palette.colours.filter((c) => (c & 0xff) < 255).length;
  const trns = new Uint8Array(translucent);
  palette.colours.forEach((c, i) => {
    plte[i * 3] = c >>> 24;
    plte[i * 3 + 1] = (c >>> 16) & 0xff;
    plte[i * 3 + 2] = (c >>> 8) & 0xff;
    if (i < translucent) trns[i] = c & 0xff;
  });
  const header = ihdr(width, height, depth, 3);
  // The PNG spec recommends no filtering for palette images; adaptive filtering sometimes wins anyway.
  return filters.map((mode) => ({ ihdr: header, plte, trns, raw: filterRows(rows, stride, height, 1, mode) }));
}

function rgbaCandidates(image: RgbaImage, filters: readonly FilterMode[]): Candidate[] {
  const header = ihdr(image.width, image.height, 8, 6);
  const stride = image.width * 4;
  return filters.map((mode) => ({ ihdr: header, raw: filterRows(image.data, stride, image.height, 4, mode) }));
}

/** Prefixes every row with its filter byte; `adaptive` picks per row the filter with the least sum of |bytes|. */
function filterRows(rows: Uint8Array, stride: number, height: number, bpp: number, mode: FilterMode): Uint8Array {
  const out = new Uint8Array((stride + 1) * height);
  // The row above the first is all zeros (PNG's definition), so every row has one.
  const zeros = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const row = rows.subarray(y * stride, (y + 1) * stride);
    const up = y > 0 ? rows.subarray((y - 1) * stride, y * stride) : zeros;
    const type = mode === 'none' ? 0 : bestFilter(row, up, bpp);
    out[y * (stride + 1)] = type;
    applyFilter(type, row, up, bpp, out.subarray(y * (stride + 1) + 1));
  }
  return out;
}

/** |v| of a filtered byte read as signed: the usual estimate of how well a row will compress. */
const COST = Uint8Array.from({ length: 256 }, (_, b) => (b < 128 ? b : 256 - b));
const cost = (v: number): number => COST[v & 0xff]!;

// The loops below are the encoder's hot path (every byte of every page): the first pixel of a
// row, which has no left neighbour, gets a loop of its own, so the main loops carry no branches.

/**
 * The filter type (0..4) whose output has the least cost, the lowest type on a tie. All five are
 * scored in one pass over the row, without writing any of them (a page is millions of bytes).
 */
function bestFilter(row: Uint8Array, up: Uint8Array, bpp: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let s4 = 0;
  for (let i = 0; i < bpp; i++) {
    const x = row[i]!;
    const b = up[i]!;
    s0 += cost(x);
    s1 += cost(x);
    s2 += cost(x - b);
    s3 += cost(x - (b >> 1));
    s4 += cost(x - b); // paeth(0, b, 0) is b
  }
  for (let i = bpp; i < row.length; i++) {
    const x = row[i]!;
    const a = row[i - bpp]!;
    const b = up[i]!;
    s0 += cost(x);
    s1 += cost(x - a);
    s2 += cost(x - b);
    s3 += cost(x - ((a + b) >> 1));
    s4 += cost(x - paeth(a, b, up[i - bpp]!));
  }
  let best = 0;
  let score = s0;
  if (s1 < score) (best = 1), (score = s1);
  if (s2 < score) (best = 2), (score = s2);
  if (s3 < score) (best = 3), (score = s3);
  if (s4 < score) best = 4;
  return best;
}

/** Writes `row` filtered with `type` into `out` (a Uint8Array: each difference is kept mod 256). */
function applyFilter(type: number, row: Uint8Array, up: Uint8Array, bpp: number, out: Uint8Array): void {
  const n = row.length;
  switch (type) {
    case 0:
      out.set(row);
      return;
    case 1:
      for (let i = 0; i < bpp; i++) out[i] = row[i]!;
      for (let i = bpp; i < n; i++) out[i] = row[i]! - row[i - bpp]!;
      return;
    case 2:
      for (let i = 0; i < n; i++) out[i] = row[i]! - up[i]!;
      return;
    case 3:
      for (let i = 0; i < bpp; i++) out[i] = row[i]! - (up[i]! >> 1);
      for (let i = bpp; i < n; i++) out[i] = row[i]! - ((row[i - bpp]! + up[i]!) >> 1);
      return;
    default:
      for (let i = 0; i < bpp; i++) out[i] = row[i]! - up[i]!; // paeth(0, b, 0) is b
      for (let i = bpp; i < n; i++) out[i] = row[i]! - paeth(row[i - bpp]!, up[i]!, up[i - bpp]!);
  }
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
