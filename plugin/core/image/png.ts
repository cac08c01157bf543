import { PNG } from 'pngjs';
import { RetroSpritesError } from '../errors.js';
import type { RgbaImage } from './bitmap.js';

/** Decoding refuses images larger than this many pixels before allocating them. */
export const MAX_DECODE_PIXELS = 4096 * 4096;

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && PNG_SIGNATURE.every((b, i) => bytes[i] === b);
}

/** Width and height from the IHDR chunk, without decoding; undefined if this is not a PNG. */
export function pngSize(bytes: Uint8Array): { width: number; height: number } | undefined {
  if (!isPng(bytes) || bytes.length < 24) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

/** Decodes any PNG (palette, grey, 16-bit, interlaced) to 8-bit RGBA. */
export function decodePng(bytes: Uint8Array, what = 'image'): RgbaImage {
  const size = pngSize(bytes);
  if (!size) throw new RetroSpritesError('bad-image', `${what} is not a PNG file`);
  if (size.width === 0 || size.height === 0 || size.width * size.height > MAX_DECODE_PIXELS) {
    throw new RetroSpritesError(
      'image-too-large',
      `${what} claims ${size.width}x${size.height} pixels; refusing to decode more than ${MAX_DECODE_PIXELS} pixels`,
    );
  }
  try {
    const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    return { width: png.width, height: png.height, data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength) };
  } catch (err) {
    throw new RetroSpritesError('bad-image', `${what} is not a valid PNG: ${(err as Error).message}`, { cause: err });
  }
}

/** Encodes RGBA (colour type 6) or, with `rgb`, drops alpha (colour type 2) as the API wants input images. */
export function encodePng(image: RgbaImage, opts: { rgb?: boolean } = {}): Uint8Array {
  const png = new PNG({ width: image.width, height: image.height, colorType: opts.rgb ? 2 : 6, inputHasAlpha: true });
  Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength).copy(png.data);
  const out = PNG.sync.write(png, { colorType: opts.rgb ? 2 : 6, inputHasAlpha: true, deflateLevel: 9 });
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}
