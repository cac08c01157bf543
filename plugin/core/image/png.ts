import { inflateSync } from 'node:zlib';
import { PNG } from 'pngjs';
import { RetroSpritesError } from '../errors.js';
import type { RgbaImage } from './bitmap.js';
import { decodePlainPng } from './png-plain-decode.js';

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
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const plain = decodePlainPng(buf);
  if (plain) return plain;
  try {
    const png = PNG.sync.read(buf);
    return { width: png.width, height: png.height, data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength) };
  } catch (err) {
    const bomb = inflatesPast(bytes);
    if (bomb !== undefined) {
      throw new RetroSpritesError('image-too-large', `${what} is a zlib bomb: its pixel data inflates past ${bomb} bytes, all a ${size.width}x${size.height} PNG can hold`, { cause: err });
    }
    throw new RetroSpritesError('bad-image', `${what} is not a valid PNG: ${(err as Error).message}`, { cause: err });
  }
}

const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/**
 * When pngjs refuses a PNG, whether its IDAT data inflates to more than its header allows (the
 * number of bytes allowed), so the message can say what happened rather than quote the decoder.
 * Inflating stops one byte past the limit.
 */
function inflatesPast(bytes: Uint8Array): number | undefined {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < 33) return undefined;
  const width = buf.readUInt32BE(16);
  const height = buf.readUInt32BE(20);
  const depth = buf[24]!;
  const channels = CHANNELS[buf[25]!];
  if (!channels) return undefined;
  const rowBytes = (w: number) => Math.ceil((w * channels * depth) / 8);
  let limit = 0;
  if (buf[28] === 1) {
    // Adam7: seven reduced images, each row with its filter byte.
    const passes = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]];
    for (const [x0, y0, dx, dy] of passes) {
      const w = Math.ceil((width - x0!) / dx!);
      const h = Math.ceil((height - y0!) / dy!);
      if (w > 0 && h > 0) limit += h * (rowBytes(w) + 1);
    }
  } else {
    limit = height * (rowBytes(width) + 1);
  }
  const idat: Buffer[] = [];
  for (let at = 8; at + 12 <= buf.length; ) {
    const len = buf.readUInt32BE(at);
    const type = buf.toString('latin1', at + 4, at + 8);
    if (at + 12 + len > buf.length) break;
    if (type === 'IDAT') idat.push(buf.subarray(at + 8, at + 8 + len));
    at += 12 + len;
  }
  try {
    inflateSync(Buffer.concat(idat), { maxOutputLength: limit + 1 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return limit;
    return undefined;
  }
  return undefined;
}

/** Encodes RGBA (colour type 6) or, with `rgb`, drops alpha (colour type 2) as the API wants input images. */
export function encodePng(image: RgbaImage, opts: { rgb?: boolean } = {}): Uint8Array {
  const png = new PNG({ width: image.width, height: image.height, colorType: opts.rgb ? 2 : 6, inputHasAlpha: true });
  Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength).copy(png.data);
  const out = PNG.sync.write(png, { colorType: opts.rgb ? 2 : 6, inputHasAlpha: true, deflateLevel: 9 });
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}
