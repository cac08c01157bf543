import { createImage, type RgbaImage } from '../../../image/bitmap.js';
import { TONES, mix, ramp, type Ramp, type Rgb } from '../palette.js';
import { fbm, grain, valueNoise, worley, type Torus } from '../torus.js';

export type TextureShape = 'grass' | 'stone' | 'bricks' | 'water' | 'sand' | 'dirt' | 'wood' | 'lava' | 'snow' | 'metal' | 'tiles' | 'noise';

const ALIASES: Record<string, TextureShape> = {
  grass: 'grass', moss: 'grass', leaves: 'grass', swamp: 'grass', hay: 'sand', ground: 'dirt', terrain: 'dirt',
  stone: 'stone', rocks: 'stone', cobblestone: 'stone', cobble: 'stone', gravel: 'stone', path: 'stone', road: 'stone', marble: 'tiles',
  bricks: 'bricks', brick: 'bricks', wall: 'bricks',
  water: 'water', ocean: 'water', sea: 'water', river: 'water', lake: 'water',
  sand: 'sand', desert: 'sand', dirt: 'dirt', mud: 'dirt', soil: 'dirt',
  wood: 'wood', planks: 'wood', floor: 'wood', lava: 'lava', magma: 'lava', snow: 'snow', ice: 'snow',
  metal: 'metal', tiles: 'tiles', tile: 'tiles', carpet: 'noise', fabric: 'noise',
};

export function textureShapeFor(subject: string): TextureShape {
  return ALIASES[subject] ?? 'noise';
}

/**
 * A full-bleed texture. Every lookup goes through the torus, so along a wrapped axis the last
 * column continues into the first exactly as an interior column continues into the next.
 */
export function drawTexture(t: Torus, shape: TextureShape, base: Rgb, detail: number): RgbaImage {
  const img = createImage(t.w, t.h);
  const r = ramp(base);
  const scale = Math.max(2, Math.round(Math.min(t.w, t.h) / 16));
  for (let y = 0; y < t.h; y++) {
    for (let x = 0; x < t.w; x++) {
      const c = pixel(t, shape, r, x, y, scale, detail);
      const o = (y * t.w + x) * 4;
      img.data[o] = c[0];
      img.data[o + 1] = c[1];
      img.data[o + 2] = c[2];
      img.data[o + 3] = 255;
    }
  }
  return img;
}

function step(r: Ramp, v: number, lo = 1, hi = 3): Rgb {
  // Quantize a 0..255 value into a few shade steps: pixel art, not a gradient.
  const n = hi - lo + 1;
  const i = Math.min(n - 1, (v * n) >> 8);
  return r[lo + i]!;
}

function pixel(t: Torus, shape: TextureShape, r: Ramp, x: number, y: number, scale: number, detail: number): Rgb {
  const cells = Math.max(2, Math.round(Math.min(t.w, t.h) / (scale * 4)));
  switch (shape) {
    case 'grass': {
      const n = fbm(t, x, y, cells);
      const g = grain(t, x, y);
      const below = grain(t, x, y + 1);
      // Blades: a light tip above a dark root, scattered.
      if (g < 18 + detail * 6) return r[4];
      if (below < 18 + detail * 6) return r[3];
      if (grain(t, x, y, 7) < 14) return r[1];
      return step(r, n, 1, 3);
    }
    case 'stone': {
      const cx = Math.max(2, Math.round(t.w / (scale * 5)));
      const cy = Math.max(2, Math.round(t.h / (scale * 5)));
      const { d1, d2, id } = worley(t, x, y, cx, cy);
      const edge = Math.sqrt(d2) - Math.sqrt(d1);
      if (edge < 14) return mix(r[0], r[1], 80);
      const tone = (id * 2654435761) >>> 29;
      const n = fbm(t, x, y, cells * 2, 5);
      if (edge < 26) return r[1];
      const shade = tone & 1 ? r[2] : r[3];
      return n > 190 ? r[4] : n < 50 ? r[1] : shade;
    }
    case 'bricks': {
      const rows = evenish(Math.max(2, Math.round(t.h / Math.max(4, scale * 3))), true);
      // Shift the courses off the edges so no mortar line sits exactly on the wrap.
      y = (y + Math.floor(t.h / rows / 2)) % t.h;
      x = (x + Math.floor(t.w / 5)) % t.w;
      const row = Math.floor((y * rows) / t.h);
      const rowTop = Math.ceil((row * t.h) / rows);
      const perRow = Math.max(1, Math.round(t.w / Math.max(8, scale * 7)));
      const offset = row % 2 === 1 ? Math.floor(t.w / perRow / 2) : 0;
      const xx = (((x + offset) % t.w) + t.w) % t.w;
      const col = Math.floor((xx * perRow) / t.w);
      const colLeft = Math.ceil((col * t.w) / perRow);
      if (y === rowTop || xx === colLeft) return r[0];
      const tone = (row * 31 + col * 17 + t.seed) & 3;
      const n = grain(t, x, y, 3);
      if (y === rowTop + 1 || xx === colLeft + 1) return tone === 0 ? r[4] : r[3];
      if (n < 20) return r[1];
      return tone === 1 ? r[1] : r[2];
    }
    case 'water': {
      // Deep and shallow patches, with ripples: contour lines of a noise stretched sideways.
      const n = fbm(t, x, y, cells);
      const ripple = valueNoise(t, x, y, Math.max(1, Math.round(cells * 0.75)), Math.max(2, cells * 4), 9);
      const d = Math.abs(ripple - 128);
      if (d < 5 && n > 90) return r[4];
      if (d < 11 && n > 70) return r[3];
      return n < 96 ? r[1] : r[2];
    }
    case 'lava': {
      const n = fbm(t, x, y, cells);
      if (n > 170) return mix(r[4], [255, 240, 140], 160);
      if (n > 130) return r[3];
      if (n < 70) return mix(r[0], [40, 20, 20], 120);
      return r[1];
    }
    case 'sand':
    case 'snow': {
      const n = fbm(t, x, y, cells);
      const g = grain(t, x, y);
      if (g < 10) return r[1];
      if (g > 248) return r[4];
      const dune = valueNoise(t, x, y, Math.max(1, cells), Math.max(1, cells * 2), 4);
      return ((dune + n) >> 1) > 140 ? r[3] : r[2];
    }
    case 'dirt': {
      const n = fbm(t, x, y, cells);
      const g = grain(t, x, y);
      if (g < 8) return r[4];
      if (grain(t, x - 1, y - 1) < 8) return r[0];
      return step(r, n, 1, 3);
    }
    case 'wood': {
      const planks = evenish(Math.max(2, Math.round(t.h / Math.max(6, scale * 4))), true);
      y = (y + Math.floor(t.h / planks / 2)) % t.h;
      const p = Math.floor((y * planks) / t.h);
      const top = Math.ceil((p * t.h) / planks);
      if (y === top) return r[0];
      const seamX = Math.floor(((hashRow(t.seed, p) % 1000) * t.w) / 1000);
      if (x === seamX) return r[0];
      const n = valueNoise(t, x, y, Math.max(1, Math.round(cells / 2)), Math.max(1, cells * 4), p);
      if (y === top + 1) return r[3];
      return n > 170 ? r[3] : n < 80 ? r[1] : r[2];
    }
    case 'metal':
    case 'tiles': {
      const nx = Math.max(1, Math.round(t.w / Math.max(8, scale * 6)));
      const ny = Math.max(1, Math.round(t.h / Math.max(8, scale * 6)));
      x = (x + Math.floor(t.w / nx / 2)) % t.w;
      y = (y + Math.floor(t.h / ny / 2)) % t.h;
      const cx = Math.floor((x * nx) / t.w);
      const cy = Math.floor((y * ny) / t.h);
      const left = Math.ceil((cx * t.w) / nx);
      const top = Math.ceil((cy * t.h) / ny);
      const right = Math.ceil(((cx + 1) * t.w) / nx) - 1;
      const bottom = Math.ceil(((cy + 1) * t.h) / ny) - 1;
      if (x === left || y === top) return r[shape === 'metal' ? 4 : 0];
      if (x === right || y === bottom) return r[1];
      if (shape === 'metal' && (x === left + 2 || x === right - 2) && (y === top + 2 || y === bottom - 2)) return r[0];
      const n = grain(t, x, y);
      return n < 16 ? r[3] : r[2];
    }
    case 'noise': {
      const n = fbm(t, x, y, cells);
      return step(r, n, 1, 4);
    }
  }
}

function hashRow(seed: number, row: number): number {
  return ((seed ^ Math.imul(row + 1, 0x9e3779b1)) >>> 0) % 100003;
}

/** Alternating rows only wrap cleanly when there is an even number of them. */
function evenish(n: number, wrap: boolean): number {
  return wrap && n % 2 === 1 ? n + 1 : n;
}

export const TEXTURE_FALLBACK: Record<TextureShape, Rgb> = {
  grass: TONES.leaf, stone: TONES.stone, bricks: [170, 80, 60], water: TONES.water, sand: TONES.sand, dirt: TONES.dirt,
  wood: TONES.wood, lava: [236, 96, 32], snow: [226, 232, 244], metal: TONES.steel, tiles: [200, 196, 190], noise: TONES.green,
};
