import { layoutForStyle, sheetPlacement } from '../../animation-layout.js';
import { findStyle, unknownStyleInfo } from '../../catalog.js';
import { createImage, type RgbaImage } from '../../image/bitmap.js';
import { decodeGif, type DecodedGif } from '../../image/gif.js';
import { encodeGif } from '../../image/gif-encode.js';
import { MAX_DECODE_PIXELS, decodePng, encodePng, isPng, pngSize } from '../../image/png.js';
import type { ApiPayload } from '../../payload.js';
import type { GeneratedImage } from '../provider.js';
import { RD_TILESET_LAYOUT, isTilesetStyle } from '../../tileset/layout.js';
import { ApiError } from './api-error.js';

/** No side of an answer image may exceed this; a bigger claim is a bomb or garbage. */
export const MAX_IMAGE_SIDE = 8192;

/** What a well-formed answer to a payload holds. */
export interface ExpectedAnswer {
  count: number;
  width: number;
  height: number;
  /** For `return_spritesheet`: the size of one cell; the sheet is a grid of them. */
  cell?: { width: number; height: number };
}

export function expectedAnswer(payload: ApiPayload): ExpectedAnswer {
  const style = payload.prompt_style ? (findStyle(payload.prompt_style) ?? unknownStyleInfo(payload.prompt_style)) : undefined;
  const size = style?.fixedSize ?? { width: payload.width, height: payload.height };
  const oneOnly = style?.animated === true && style.maxImages === 1;
  // The seed's img2img, remove_bg and tiling examples omit num_images: the API then answers one.
  const count = oneOnly ? 1 : (payload.num_images ?? 1);
  if (style?.animated && payload.return_spritesheet) {
    const layout = layoutForStyle(payload.prompt_style);
    // A layout with a known number of cells fixes the sheet's grid; otherwise any whole number of cells.
    if (layout && layout.cellsPerDirection !== 'any') {
      const grid = sheetPlacement(layout, layout.cellsPerDirection);
      return { count, width: size.width * grid.cols, height: size.height * grid.rows, cell: size };
    }
    return { count, width: size.width, height: size.height, cell: size };
  }
  if (isTilesetStyle(payload.prompt_style)) {
    // The tileset styles take the tile size and answer a grid of tiles (shared/retrodiffusion-v2.md).
    const { columns, rows } = RD_TILESET_LAYOUT;
    return { count: 1, width: size.width * columns, height: size.height * rows, cell: size };
  }
  return { count, width: size.width, height: size.height };
}

const GIF_SIGNATURES = ['GIF87a', 'GIF89a'];

function isGif(bytes: Uint8Array): boolean {
  if (bytes.length < 13) return false;
  const head = String.fromCharCode(...bytes.subarray(0, 6));
  return GIF_SIGNATURES.includes(head);
}

/** Logical screen size from a GIF's header, without decoding. */
function gifSize(bytes: Uint8Array): { width: number; height: number } {
  return { width: bytes[6]! | (bytes[7]! << 8), height: bytes[8]! | (bytes[9]! << 8) };
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Strict base64: Node's decoder silently skips junk, which would hand us a corrupt image. */
export function decodeBase64(text: unknown, what: string): Uint8Array {
  if (typeof text !== 'string') throw malformed(`${what} is not a base64 string`);
  const clean = text.replace(/\s+/g, '');
  if (clean.length === 0) throw malformed(`${what} is empty`);
  if (clean.length % 4 !== 0 || !BASE64.test(clean)) throw malformed(`${what} is not valid base64`);
  const buf = Buffer.from(clean, 'base64');
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/**
 * Checks one answered image and brings it to the requested size. The size is read from the
 * header first so an absurd claim is refused before anything is allocated; a PNG is then decoded
 * in full, a GIF frame by frame (a truncated one must not reach the cache). An integer multiple k
 * of the expected size (the API's "regular size" answer) is reduced by nearest neighbour and
 * re-encoded; a reduced GIF keeps its frame delays.
 */
export function checkImage(bytes: Uint8Array, expected: ExpectedAnswer, what: string): GeneratedImage {
  let format: 'png' | 'gif';
  let size: { width: number; height: number };
  if (isPng(bytes)) {
    const s = pngSize(bytes);
    const ihdr = bytes.length >= 16 ? String.fromCharCode(...bytes.subarray(12, 16)) : '';
    if (!s || ihdr !== 'IHDR') throw malformed(`${what} is a PNG without a readable header`);
    format = 'png';
    size = s;
  } else if (isGif(bytes)) {
    format = 'gif';
    size = gifSize(bytes);
  } else {
    throw malformed(`${what} is neither a PNG nor a GIF`);
  }
  const { width, height } = size;
  if (width === 0 || height === 0 || width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE || width * height > MAX_DECODE_PIXELS) {
    throw malformed(`${what} claims ${width}x${height} pixels; refusing to decode it`);
  }
  const k = scaleFactor(size, expected);
  if (k === undefined) {
    throw malformed(`${what} is ${width}x${height}, expected ${expected.width}x${expected.height}`);
  }
  if (format === 'gif') {
    let gif: DecodedGif;
    try {
      gif = decodeGif(bytes, what);
    } catch (err) {
      throw malformed(`${what} does not decode: ${(err as Error).message}`);
    }
    // Browsers grow the canvas to hold a first frame that reaches past the logical screen.
    if (gif.width !== width || gif.height !== height) {
      throw malformed(`${what} says ${width}x${height} but its first frame makes it ${gif.width}x${gif.height}`);
    }
    if (k === 1) return { format, bytes, width, height };
    const frames = gif.frames.map((f) => reduce(f.image, k));
    const reduced = encodeGif(frames, { delayMs: gif.frames.map((f) => f.durationMs) });
    return { format, bytes: reduced, width: width / k, height: height / k };
  }
  let image: RgbaImage;
  try {
    image = decodePng(bytes, what);
  } catch (err) {
    throw malformed(`${what} does not decode: ${(err as Error).message}`);
  }
  if (k === 1) return { format, bytes, width, height };
  const reduced = reduce(image, k);
  return { format, bytes: encodePng(reduced), width: reduced.width, height: reduced.height };
}

/** The integer k with size = k x expected (1 for an exact match), or undefined. */
function scaleFactor(size: { width: number; height: number }, expected: ExpectedAnswer): number | undefined {
  const kx = size.width / expected.width;
  const ky = size.height / expected.height;
  if (Number.isInteger(kx) && kx === ky && kx >= 1) return kx;
  // A sheet in an unknown grid: accept any whole number of native cells.
  if (expected.cell && size.width % expected.cell.width === 0 && size.height % expected.cell.height === 0) return 1;
  return undefined;
}

/** Nearest neighbour: the top-left pixel of each k x k block. */
function reduce(image: RgbaImage, k: number): RgbaImage {
  const out = createImage(image.width / k, image.height / k);
  for (let y = 0; y < out.height; y++) {
    for (let x = 0; x < out.width; x++) {
      const src = ((y * k) * image.width + x * k) * 4;
      out.data.set(image.data.subarray(src, src + 4), (y * out.width + x) * 4);
    }
  }
  return out;
}

function malformed(message: string): ApiError {
  return new ApiError('bad-response', `malformed answer: ${message}`);
}
