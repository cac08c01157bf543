import { describe, expect, it } from 'vitest';
import { createImage, type RgbaImage } from '../../../plugin/core/image/bitmap.js';
import { blitExtruded } from '../../../plugin/core/image/trim.js';

/** The definition: every pixel of the source and of its extrusion, one at a time, clipped to the page. */
function blitOnePixelAtATime(dst: RgbaImage, src: RgbaImage, x: number, y: number, extrude: number): void {
  for (let sy = -extrude; sy < src.height + extrude; sy++) {
    for (let sx = -extrude; sx < src.width + extrude; sx++) {
      const dx = x + sx;
      const dy = y + sy;
      if (dx < 0 || dy < 0 || dx >= dst.width || dy >= dst.height) continue;
      const from = (Math.min(src.height - 1, Math.max(0, sy)) * src.width + Math.min(src.width - 1, Math.max(0, sx))) * 4;
      dst.data.set(src.data.subarray(from, from + 4), (dy * dst.width + dx) * 4);
    }
  }
}

function noise(width: number, height: number, seed: number): RgbaImage {
  const image = createImage(width, height);
  let s = seed;
  for (let i = 0; i < image.data.length; i++) { s = (s * 1103515245 + 12345) >>> 0; image.data[i] = s >>> 24; }
  return image;
}

describe('blitting a sprite onto a page', () => {
  it('writes what copying each pixel and its extrusion would, at every position, including past every edge of the page', () => {
    let cases = 0;
    for (const [w, h] of [[1, 1], [3, 2], [7, 5]] as const) {
      for (const extrude of [0, 1, 3]) {
        for (let x = -9; x <= 12; x += 3) {
          for (let y = -8; y <= 11; y += 4) {
            const src = noise(w, h, cases + 1);
            const fast = noise(10, 9, 99);
            const slow = noise(10, 9, 99);
            blitExtruded(fast, src, x, y, extrude);
            blitOnePixelAtATime(slow, src, x, y, extrude);
            expect(Buffer.from(fast.data).equals(Buffer.from(slow.data)), `${w}x${h} at ${x},${y} extrude ${extrude}`).toBe(true);
            cases++;
          }
        }
      }
    }
    expect(cases).toBe(3 * 3 * 8 * 5);
  });

  it('reads and writes pixels whose bytes do not start on a word boundary (a slice of a larger buffer)', () => {
    const backing = new Uint8Array(1 + 4 * 4 * 4);
    const page: RgbaImage = { width: 4, height: 4, data: backing.subarray(1) };
    const src: RgbaImage = { width: 2, height: 1, data: Uint8Array.from([0, 1, 2, 3, 1, 10, 20, 30, 40]).subarray(1) };
    blitExtruded(page, src, 1, 1, 1);
    const expected = createImage(4, 4);
    blitOnePixelAtATime(expected, { width: 2, height: 1, data: Uint8Array.from([1, 2, 3, 1, 10, 20, 30, 40]) }, 1, 1, 1);
    expect([...page.data]).toEqual([...expected.data]);
  });
});
