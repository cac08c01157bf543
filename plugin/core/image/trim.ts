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

/** Copies `src` into `dst` at (x, y), then repeats its edge pixels `extrude` pixels outward (within `dst`). */
export function blitExtruded(dst: RgbaImage, src: RgbaImage, x: number, y: number, extrude: number): void {
  for (let sy = -extrude; sy < src.height + extrude; sy++) {
    const dy = y + sy;
    if (dy < 0 || dy >= dst.height) continue;
    const row = Math.min(src.height - 1, Math.max(0, sy));
    for (let sx = -extrude; sx < src.width + extrude; sx++) {
      const dx = x + sx;
      if (dx < 0 || dx >= dst.width) continue;
      const col = Math.min(src.width - 1, Math.max(0, sx));
      const from = (row * src.width + col) * 4;
      const to = (dy * dst.width + dx) * 4;
      dst.data[to] = src.data[from]!;
      dst.data[to + 1] = src.data[from + 1]!;
      dst.data[to + 2] = src.data[from + 2]!;
      dst.data[to + 3] = src.data[from + 3]!;
    }
  }
}
