import { createImage, type RgbaImage } from './bitmap.js';

export interface Box { x: number; y: number; w: number; h: number }

/**
 * The smallest box holding every pixel with alpha > 0. A fully transparent image keeps one
 * pixel at its origin, so the frame still exists (Phaser needs a non-empty rectangle).
 */
export function opaqueBounds(image: RgbaImage): Box {
  const { width, height, data } = image;
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (data[(y * width + x) * 4 + 3] !== 0) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        y1 = y;
      }
    }
  }
  if (x1 < 0) return { x: 0, y: 0, w: 1, h: 1 };
  return { x: x0, y: y0, w: x1 - x0 + 1, h: y1 - y0 + 1 };
}

export function crop(image: RgbaImage, box: Box): RgbaImage {
  const out = createImage(box.w, box.h);
  for (let y = 0; y < box.h; y++) {
    const from = ((box.y + y) * image.width + box.x) * 4;
    out.data.set(image.data.subarray(from, from + box.w * 4), y * box.w * 4);
  }
  return out;
}

/**
 * Copies `src` into `dst` at (x, y), then repeats its edge pixels `extrude` pixels outward (within
 * `dst`). Each row is one copy of the source row plus its edge pixels: a fresh clone's build blits
 * every sprite of the game, and a copy per pixel was a tenth of it.
 */
export function blitExtruded(dst: RgbaImage, src: RgbaImage, x: number, y: number, extrude: number): void {
  const { width: sw, height: sh } = src;
  // The columns written, clipped to dst: the left edge's copies, the row itself, the right edge's copies.
  const x0 = Math.max(0, x - extrude);
  const x1 = Math.min(dst.width, x + sw + extrude);
  const in0 = Math.max(x0, x);
  const in1 = Math.min(x1, x + sw);
  if (x0 >= x1) return;
  const out = words(dst.data);
  const pixels = words(src.data);
  for (let sy = -extrude; sy < sh + extrude; sy++) {
    const dy = y + sy;
    if (dy < 0 || dy >= dst.height) continue;
    const row = Math.min(sh - 1, Math.max(0, sy)) * sw;
    const at = dy * dst.width;
    if (in0 < in1) out.set(pixels.subarray(row + in0 - x, row + in1 - x), at + in0);
    if (x0 < in0) out.fill(pixels[row]!, at + x0, at + Math.min(in0, x1));
    if (in1 < x1) out.fill(pixels[row + sw - 1]!, at + Math.max(in1, x0), at + x1);
  }
  if (out.buffer !== dst.data.buffer) dst.data.set(new Uint8Array(out.buffer));
}

/** RGBA bytes as one word a pixel (a copy when they do not start on a word boundary: a Buffer's slice may not). */
function words(data: Uint8Array): Uint32Array {
  if (data.byteOffset % 4 === 0) return new Uint32Array(data.buffer, data.byteOffset, data.byteLength >> 2);
  return new Uint32Array(new Uint8Array(data).buffer);
}
