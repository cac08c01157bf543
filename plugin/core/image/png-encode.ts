import { promisify } from 'node:util';
import { crc32, deflate, deflateSync } from 'node:zlib';
import type { RgbaImage } from './bitmap.js';
import { zlibSliced, zlibSlicedSync } from './zlib-slices.js';

/**
 * A compact, lossless, deterministic PNG writer for atlas pages. Pixel art rarely has more than 256
 * colours, so a page is written with a palette (PLTE + tRNS, at the smallest bit depth that holds
 * it) when it can be, and as RGBA otherwise. The filtering (none, or adaptive per row) is the one
 * whose bytes compress smaller on a fixed sample of the rows; zlib at a fixed level gives the same
 * bytes for the same pixels every time.
 */
export function encodePngCompact(image: RgbaImage, opts: { effort?: PngEffort } = {}): Uint8Array {
  const effort = opts.effort ?? 'small';
  const layout = layoutOf(image, effort);
  const trials = layout.modes.length > 1 ? layout.modes.map((mode) => deflateSync(sampleOf(layout, mode), TRIAL).length) : [];
  const raw = filterRows(layout, pick(layout.modes, trials));
  return assemble(layout, effort === 'small' ? zlibSlicedSync(raw, FINAL) : deflateSync(raw, TRIAL));
}

/**
 * The same bytes as `encodePngCompact`, with the compression on libuv's thread pool: pages
 * encoded together compress side by side on every core (the filters still run here).
 */
export async function encodePngCompactAsync(image: RgbaImage, opts: { effort?: PngEffort } = {}): Promise<Uint8Array> {
  const effort = opts.effort ?? 'small';
  const layout = layoutOf(image, effort);
  const trials = layout.modes.length > 1 ? await Promise.all(layout.modes.map(async (mode) => (await deflateAsync(sampleOf(layout, mode), TRIAL)).length)) : [];
  const raw = filterRows(layout, pick(layout.modes, trials));
  return assemble(layout, effort === 'small' ? await zlibSliced(raw, FINAL) : await deflateAsync(raw, TRIAL));
}

// zlib's level 9 costs ~4x level 6 on these pages for ~4% fewer bytes: filterings are compared at
// level 6 on a sample, and only the winner is compressed, at 9 when the output is for shipping, in
// slices that compress side by side (zlib-slices.ts).
const TRIAL = { level: 6 };
const FINAL = { level: 9, memLevel: 9 };
const deflateAsync = promisify(deflate);

/**
 * The sample the filterings are compared on: bands of 16 rows, one in every four (each row
 * filtered against the real row above it), so the comparison costs a quarter of the page and the
 * adaptive filter is run in full only when it wins. An image of up to 64 rows is its own sample.
 */
const BAND_ROWS = 16;
const BAND_EVERY = 4;

/** The lowest-cost mode, the first on a tie (the modes' order breaks ties). */
function pick(modes: readonly FilterMode[], sizes: readonly number[]): FilterMode {
  let best = 0;
  for (let i = 1; i < sizes.length; i++) if (sizes[i]! < sizes[best]!) best = i;
  return modes[best]!;
}

/** An image's rows as PNG lays them out before filtering, with its header chunks and the filterings to try. */
interface Layout {
  ihdr: Uint8Array;
  plte?: Uint8Array;
  trns?: Uint8Array;
  rows: Uint8Array;
  stride: number;
  height: number;
  /** Bytes per pixel as filters see it (1 for packed indices). */
  bpp: number;
  /** In the order that breaks ties. */
  modes: readonly FilterMode[];
}

function layoutOf(image: RgbaImage, effort: PngEffort): Layout {
  const palette = buildPalette(image);
  // Adaptive filtering on pixel art rarely beats no filter: `fast` (a page re-encoded on every dev
  // edit) tries no filter only.
  if (palette) return indexedLayout(image, palette, effort === 'fast' ? ['none'] : ['none', 'adaptive']);
  return { ihdr: ihdr(image.width, image.height, 8, 6), rows: image.data, stride: image.width * 4, height: image.height, bpp: 4, modes: effort === 'fast' ? ['none'] : ['adaptive', 'none'] };
}

function assemble(layout: Layout, idat: Uint8Array): Uint8Array {
  const chunks: Uint8Array[] = [PNG_SIGNATURE, chunk('IHDR', layout.ihdr)];
  if (layout.plte) chunks.push(chunk('PLTE', layout.plte));
  if (layout.trns && layout.trns.length > 0) chunks.push(chunk('tRNS', layout.trns));
  chunks.push(chunk('IDAT', idat), chunk('IEND', new Uint8Array(0)));
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

function ihdr(width: number, height: number, depth: number, colourType: number): Uint8Array {
  const out = new Uint8Array(13);
  const view = new DataView(out.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  out[8] = depth;
  out[9] = colourType;
  return out;
}

function indexedLayout(image: RgbaImage, palette: Palette, modes: readonly FilterMode[]): Layout {
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
  // The PNG spec recommends no filtering for palette images; adaptive filtering sometimes wins anyway.
  return { ihdr: ihdr(width, height, depth, 3), plte, trns, rows, stride, height, bpp: 1, modes };
}

/** Every row filtered: what IDAT compresses. */
function filterRows(layout: Layout, mode: FilterMode): Uint8Array {
  const out = new Uint8Array((layout.stride + 1) * layout.height);
  filterBand(layout, mode, 0, layout.height, out, 0);
  return out;
}

/** The rows of the sample (BAND_ROWS), filtered as they are in the whole image. */
function sampleOf(layout: Layout, mode: FilterMode): Uint8Array {
  const period = BAND_ROWS * BAND_EVERY;
  if (layout.height <= period) return filterRows(layout, mode);
  const bands: [number, number][] = [];
  for (let y = 0; y < layout.height; y += period) bands.push([y, Math.min(layout.height, y + BAND_ROWS)]);
  const out = new Uint8Array(bands.reduce((n, [a, b]) => n + (b - a) * (layout.stride + 1), 0));
  let at = 0;
  for (const [a, b] of bands) at = filterBand(layout, mode, a, b, out, at);
  return out;
}

/**
 * Writes rows y0..y1 into `out` from `at`, each prefixed with its filter byte (`adaptive` picks per
 * row the filter with the least sum of |bytes|); returns where it stopped.
 */
function filterBand(layout: Layout, mode: FilterMode, y0: number, y1: number, out: Uint8Array, at: number): number {
  const { rows, stride, bpp } = layout;
  // The row above the first is all zeros (PNG's definition), so every row has one.
  const zeros = new Uint8Array(stride);
  for (let y = y0; y < y1; y++) {
    const row = rows.subarray(y * stride, (y + 1) * stride);
    const up = y > 0 ? rows.subarray((y - 1) * stride, y * stride) : zeros;
    const type = mode === 'none' ? 0 : bestFilter(row, up, bpp);
    out[at] = type;
    applyFilter(type, row, up, bpp, out.subarray(at + 1, at + 1 + stride));
    at += stride + 1;
  }
  return at;
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
