import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RetroSpritesError } from '../../plugin/core/errors.js';
import type { RgbaImage } from '../../plugin/core/image/bitmap.js';
import { encodeGif } from '../../plugin/core/image/gif-encode.js';
import { decodeGif, MAX_GIF_FRAMES, MAX_GIF_TOTAL_PIXELS } from '../../plugin/core/image/gif.js';
import { decodePng, encodePng, MAX_DECODE_PIXELS } from '../../plugin/core/image/png.js';
import { mutate, mutationArb } from './mutate.js';
import './seeded.js';

/** A small picture in a handful of colours, some pixels transparent. */
function picture(w: number, h: number, seed: number): RgbaImage {
  const data = new Uint8Array(w * h * 4);
  for (let p = 0; p < w * h; p++) {
    const v = (p * 7 + seed * 13) % 5;
    if (v === 0) continue;
    data.set([v * 50, 255 - v * 40, (v * 90) % 256, 255], p * 4);
  }
  return { width: w, height: h, data };
}

/** What a decoder may do with any bytes: give a whole image, or refuse with a clear error. */
function expectImageOrClearError(decode: () => RgbaImage[]): void {
  let images: RgbaImage[];
  try {
    images = decode();
  } catch (err) {
    expect(err).toBeInstanceOf(RetroSpritesError);
    expect((err as Error).message).toMatch(/^image( is| has| claims|: frame)/);
    return;
  }
  for (const image of images) {
    expect(image.width).toBeGreaterThan(0);
    expect(image.height).toBeGreaterThan(0);
    expect(image.width * image.height).toBeLessThanOrEqual(MAX_DECODE_PIXELS);
    expect(image.data.length).toBe(image.width * image.height * 4);
  }
}

const validPng = fc.record({ w: fc.integer({ min: 1, max: 24 }), h: fc.integer({ min: 1, max: 24 }), seed: fc.nat(50), rgb: fc.boolean() })
  .map(({ w, h, seed, rgb }) => encodePng(picture(w, h, seed), { rgb }));

const validGif = fc.record({ w: fc.integer({ min: 1, max: 20 }), h: fc.integer({ min: 1, max: 20 }), frames: fc.integer({ min: 1, max: 4 }), seed: fc.nat(50) })
  .map(({ w, h, frames, seed }) => encodeGif(Array.from({ length: frames }, (_, i) => picture(w, h, seed + i)), { delayMs: 100 }));

/** A GIF by hand: a canvas, then `frames` image blocks each claiming a `fw`x`fh` rectangle with almost no data. */
function claimingGif(canvas: { w: number; h: number }, frames: number, patch: { w: number; h: number }): Uint8Array {
  const le = (n: number) => [n & 255, (n >> 8) & 255];
  const out: number[] = [...Buffer.from('GIF89a'), ...le(canvas.w), ...le(canvas.h), 0x80, 0, 0, 0, 0, 0, 255, 255, 255];
  for (let i = 0; i < frames; i++) out.push(0x2c, 0, 0, 0, 0, ...le(patch.w), ...le(patch.h), 0, 2, 1, 0x44, 0);
  out.push(0x3b);
  return new Uint8Array(out);
}

describe('image decoders over hostile bytes', () => {
  it('decode every valid PNG and GIF they are given back to its exact size', () => {
    fc.assert(fc.property(validPng, (bytes) => {
      const image = decodePng(bytes);
      expect(image.data.length).toBe(image.width * image.height * 4);
    }), { numRuns: 100 });
    fc.assert(fc.property(validGif, (bytes) => {
      const gif = decodeGif(bytes);
      expect(gif.frames.length).toBeGreaterThan(0);
    }), { numRuns: 100 });
  });

  it('PNG: random bytes, and valid files with bytes flipped, cut or inserted, give an image or a clear error', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => expectImageOrClearError(() => [decodePng(bytes)])), { numRuns: 200 });
    fc.assert(fc.property(validPng, mutationArb, (bytes, m) => expectImageOrClearError(() => [decodePng(mutate(bytes, m))])), { numRuns: 300 });
  });

  it('GIF: random bytes, and valid files with bytes flipped, cut or inserted, give frames or a clear error', () => {
    const prefixed = fc.uint8Array({ maxLength: 300 }).map((b) => new Uint8Array([...Buffer.from('GIF89a'), ...b]));
    fc.assert(fc.property(fc.oneof(fc.uint8Array({ maxLength: 300 }), prefixed), (bytes) =>
      expectImageOrClearError(() => decodeGif(bytes).frames.map((f) => f.image))), { numRuns: 200 });
    fc.assert(fc.property(validGif, mutationArb, (bytes, m) =>
      expectImageOrClearError(() => decodeGif(mutate(bytes, m)).frames.map((f) => f.image))), { numRuns: 300 });
  });

  it('a PNG claiming 65535x65535 pixels is refused from its header, before anything is allocated', () => {
    const png = encodePng(picture(2, 2, 1));
    const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
    view.setUint32(16, 65535);
    view.setUint32(20, 65535);
    const before = process.memoryUsage().rss;
    expect(() => decodePng(png)).toThrow(/claims 65535x65535 pixels; refusing/);
    expect(process.memoryUsage().rss - before).toBeLessThan(64 * 1024 * 1024);
  });

  it('a GIF claiming a 65535x65535 canvas is refused before anything is allocated', () => {
    expect(() => decodeGif(claimingGif({ w: 65535, h: 65535 }, 1, { w: 1, h: 1 }))).toThrow(/claims a 65535x65535 canvas; refusing/);
  });

  it(`a GIF of 100000 frames is refused before decoding any (the limit is ${MAX_GIF_FRAMES})`, () => {
    const bytes = claimingGif({ w: 8, h: 8 }, 100_000, { w: 8, h: 8 });
    expect(() => decodeGif(bytes)).toThrow(/has more than 1024 frames; refusing to decode it/);
  });

  it('a 14 kB GIF whose frames claim 4096x4096 rectangles on a 1x1 canvas is refused before decoding them', () => {
    // Each such frame made the LZW decoder fill 16M pixels: 1000 of them took minutes and gigabytes.
    const bytes = claimingGif({ w: 1, h: 1 }, 1000, { w: 4096, h: 4096 });
    expect(bytes.length).toBeLessThan(15_000);
    const before = process.memoryUsage().rss;
    const err = (() => {
      try {
        decodeGif(bytes);
      } catch (e) {
        return e as RetroSpritesError;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(RetroSpritesError);
    expect(err!.code).toBe('image-too-large');
    expect(err!.message).toContain(`${MAX_GIF_TOTAL_PIXELS} pixels in all`);
    expect(process.memoryUsage().rss - before).toBeLessThan(64 * 1024 * 1024);
  });
});
