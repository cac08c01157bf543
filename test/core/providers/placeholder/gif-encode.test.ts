import { describe, expect, it } from 'vitest';
import { createImage, type RgbaImage } from '../../../../plugin/core/image/bitmap.js';
import { encodeGif } from '../../../../plugin/core/image/gif-encode.js';
import { decodeGif } from './decode.js';

function frame(w: number, h: number, paint: (x: number, y: number) => [number, number, number, number]): RgbaImage {
  const img = createImage(w, h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) img.data.set(paint(x, y), (y * w + x) * 4);
  return img;
}

describe('encodeGif, the writer behind animated placeholder answers', () => {
  it('keeps exact colours, makes alpha below 128 transparent, and clears between frames', () => {
    const a = frame(8, 8, (x) => (x < 4 ? [200, 40, 40, 255] : [0, 0, 0, 100]));
    const b = frame(8, 8, (x) => (x >= 4 ? [40, 40, 200, 200] : [0, 0, 0, 0]));
    const gif = decodeGif(encodeGif([a, b], { delayMs: [100, 250], loop: true }));
    expect(gif.frames).toHaveLength(2);
    expect(gif.frames.map((f) => f.delay)).toEqual([100, 250]);
    const px = (f: RgbaImage, x: number): number[] => Array.from(f.data.subarray(x * 4, x * 4 + 4));
    expect(px(gif.frames[0]!, 0)).toEqual([200, 40, 40, 255]);
    expect(px(gif.frames[0]!, 6)[3]).toBe(0);
    expect(px(gif.frames[1]!, 0)[3]).toBe(0);
    expect(px(gif.frames[1]!, 6)).toEqual([40, 40, 200, 255]);
  });

  it('still encodes frames with more than 255 colours (quantized, stable)', () => {
    const rich = frame(32, 32, (x, y) => [x * 8, y * 8, (x * y) & 255, 255]);
    const once = encodeGif([rich], { delayMs: 100 });
    expect(Buffer.from(encodeGif([rich], { delayMs: 100 })).equals(Buffer.from(once))).toBe(true);
    const gif = decodeGif(once);
    expect([gif.width, gif.height]).toEqual([32, 32]);
    expect(gif.frames[0]!.data[3]).toBe(255);
  });

  it('refuses frames of different sizes or no frames at all, in words', () => {
    expect(() => encodeGif([createImage(4, 4), createImage(5, 4)], { delayMs: 100 })).toThrow(/one size/);
    expect(() => encodeGif([], { delayMs: 100 })).toThrow(/no frames/);
  });
});
