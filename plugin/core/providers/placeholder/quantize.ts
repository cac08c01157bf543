import { createImage, type RgbaImage } from '../../image/bitmap.js';
import { decodePng } from '../../image/png.js';
import { colourDistance, luminance, type Rgb } from './palette.js';

/** Alpha below this is transparent, as in the GIF encoder: the pipeline treats it as a hard mask. */
export const ALPHA_CUTOFF = 128;

/** The distinct opaque colours of a palette image, in reading order (at most 256). */
export function paletteFromPng(base64: string): Rgb[] {
  const img = decodePng(new Uint8Array(Buffer.from(base64, 'base64')), 'input_palette');
  const seen = new Set<number>();
  const out: Rgb[] = [];
  for (let i = 0; i < img.data.length && out.length < 256; i += 4) {
    if (img.data[i + 3]! < ALPHA_CUTOFF) continue;
    const key = (img.data[i]! << 16) | (img.data[i + 1]! << 8) | img.data[i + 2]!;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push([img.data[i]!, img.data[i + 1]!, img.data[i + 2]!]);
  }
  return out;
}

export function nearest(c: Rgb, palette: readonly Rgb[]): Rgb {
  let best = palette[0]!;
  let bestD = Infinity;
  for (const p of palette) {
    const d = colourDistance(c, p);
    if (d < bestD) {
      bestD = d;
      best = p;
    }
  }
  return best;
}

/** Every opaque pixel becomes its nearest palette colour; transparent pixels become clear black. */
export function mapToPalette(img: RgbaImage, palette: readonly Rgb[]): RgbaImage {
  if (palette.length === 0) return img;
  const out = createImage(img.width, img.height);
  const memo = new Map<number, Rgb>();
  for (let i = 0; i < img.data.length; i += 4) {
    if (img.data[i + 3]! < ALPHA_CUTOFF) continue;
    const key = (img.data[i]! << 16) | (img.data[i + 1]! << 8) | img.data[i + 2]!;
    let c = memo.get(key);
    if (!c) {
      c = nearest([img.data[i]!, img.data[i + 1]!, img.data[i + 2]!], palette);
      memo.set(key, c);
    }
    out.data[i] = c[0];
    out.data[i + 1] = c[1];
    out.data[i + 2] = c[2];
    out.data[i + 3] = 255;
  }
  return out;
}

/** Median cut to at most `n` colours: deterministic, integer, good enough for pixel art. */
export function medianCut(img: RgbaImage, n: number): Rgb[] {
  const pixels: Rgb[] = [];
  for (let i = 0; i < img.data.length; i += 4) {
    if (img.data[i + 3]! >= ALPHA_CUTOFF) pixels.push([img.data[i]!, img.data[i + 1]!, img.data[i + 2]!]);
  }
  if (pixels.length === 0) return [];
  let boxes: Rgb[][] = [pixels];
  while (boxes.length < n) {
    let widest = -1;
    let which = -1;
    let axis = 0;
    boxes.forEach((box, bi) => {
      if (box.length < 2) return;
      for (let a = 0; a < 3; a++) {
        let lo = 255;
        let hi = 0;
        for (const p of box) {
          lo = Math.min(lo, p[a]!);
          hi = Math.max(hi, p[a]!);
        }
        if (hi - lo > widest) {
          widest = hi - lo;
          which = bi;
          axis = a;
        }
      }
    });
    if (which < 0 || widest <= 0) break;
    const box = boxes[which]!.slice().sort((p, q) => p[axis]! - q[axis]! || p[0] - q[0] || p[1] - q[1] || p[2] - q[2]);
    const half = box.length >> 1;
    boxes = [...boxes.slice(0, which), box.slice(0, half), box.slice(half), ...boxes.slice(which + 1)];
  }
  return boxes.map((box) => {
    let r = 0;
    let g = 0;
    let b = 0;
    for (const p of box) {
      r += p[0];
      g += p[1];
      b += p[2];
    }
    const k = box.length;
    return [Math.floor(r / k), Math.floor(g / k), Math.floor(b / k)] as Rgb;
  });
}

const BAYER4 = [0, 8, 2, 10, 12, 4, 14, 6, 3, 11, 1, 9, 15, 7, 13, 5];

/**
 * Two colours only: luminance against an ordered-dither threshold picks ink or paper, so shading
 * survives as a dither pattern. Transparent stays transparent.
 */
export function toOneBit(img: RgbaImage, ink: Rgb, paper: Rgb): RgbaImage {
  const out = createImage(img.width, img.height);
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++) {
      const i = (y * img.width + x) * 4;
      if (img.data[i + 3]! < ALPHA_CUTOFF) continue;
      const l = luminance([img.data[i]!, img.data[i + 1]!, img.data[i + 2]!]);
      // Dark tones stay solid ink and light ones solid paper; only the middle dithers.
      const threshold = 72 + BAYER4[(y & 3) * 4 + (x & 3)]! * 7;
      const c = l > threshold ? paper : ink;
      out.data[i] = c[0];
      out.data[i + 1] = c[1];
      out.data[i + 2] = c[2];
      out.data[i + 3] = 255;
    }
  }
  return out;
}

/** Nearest-neighbour enlargement by an integer factor, as the API's upscale does. */
export function upscale(img: RgbaImage, k: number): RgbaImage {
  if (k <= 1) return img;
  const out = createImage(img.width * k, img.height * k);
  for (let y = 0; y < out.height; y++) {
    const sy = Math.floor(y / k);
    for (let x = 0; x < out.width; x++) {
      const si = (sy * img.width + Math.floor(x / k)) * 4;
      const di = (y * out.width + x) * 4;
      out.data[di] = img.data[si]!;
      out.data[di + 1] = img.data[si + 1]!;
      out.data[di + 2] = img.data[si + 2]!;
      out.data[di + 3] = img.data[si + 3]!;
    }
  }
  return out;
}

/** Area-average downscale (or nearest upscale) to exactly w x h; integer sums, no filtering maths. */
export function resize(img: RgbaImage, w: number, h: number): RgbaImage {
  const out = createImage(w, h);
  for (let y = 0; y < h; y++) {
    const sy0 = Math.floor((y * img.height) / h);
    const sy1 = Math.max(sy0 + 1, Math.floor(((y + 1) * img.height) / h));
    for (let x = 0; x < w; x++) {
      const sx0 = Math.floor((x * img.width) / w);
      const sx1 = Math.max(sx0 + 1, Math.floor(((x + 1) * img.width) / w));
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      let n = 0;
      for (let yy = sy0; yy < sy1; yy++) {
        for (let xx = sx0; xx < sx1; xx++) {
          const i = (yy * img.width + xx) * 4;
          const al = img.data[i + 3]!;
          r += img.data[i]! * al;
          g += img.data[i + 1]! * al;
          b += img.data[i + 2]! * al;
          a += al;
          n++;
        }
      }
      const o = (y * w + x) * 4;
      if (a > 0) {
        out.data[o] = Math.floor(r / a);
        out.data[o + 1] = Math.floor(g / a);
        out.data[o + 2] = Math.floor(b / a);
      }
      out.data[o + 3] = Math.floor(a / n);
    }
  }
  return out;
}

/** Eight levels of red and green, four of blue: the narrow palette of old consoles (`retro`). */
export function posterize(img: RgbaImage): RgbaImage {
  const out = createImage(img.width, img.height);
  const level = (v: number, n: number): number => Math.floor((Math.floor((v * n + 127) / 255) * 255) / n);
  for (let i = 0; i < img.data.length; i += 4) {
    out.data[i] = level(img.data[i]!, 7);
    out.data[i + 1] = level(img.data[i + 1]!, 7);
    out.data[i + 2] = level(img.data[i + 2]!, 3);
    out.data[i + 3] = img.data[i + 3]!;
  }
  return out;
}
