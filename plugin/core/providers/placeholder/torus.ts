import { hash32 } from './prng.js';

/**
 * Noise that can wrap: on an axis marked periodic, the lattice index is taken modulo the lattice
 * count, so the right edge continues into the left edge and the texture tiles without a seam.
 * Integer fixed-point throughout, so every platform computes the same values.
 */
export interface Torus {
  w: number;
  h: number;
  wrapX: boolean;
  wrapY: boolean;
  seed: number;
}

/** x wrapped into [0, w) when the axis wraps, else clamped (a neighbour lookup off the edge). */
export function wx(t: Torus, x: number): number {
  return t.wrapX ? ((x % t.w) + t.w) % t.w : Math.min(t.w - 1, Math.max(0, x));
}

export function wy(t: Torus, y: number): number {
  return t.wrapY ? ((y % t.h) + t.h) % t.h : Math.min(t.h - 1, Math.max(0, y));
}

function lattice(t: Torus, gx: number, gy: number, nx: number, ny: number, salt: number): number {
  const ix = t.wrapX ? ((gx % nx) + nx) % nx : gx;
  const iy = t.wrapY ? ((gy % ny) + ny) % ny : gy;
  return hash32(t.seed, salt, ix, iy) & 0xff;
}

/** Smooth value noise in 0..255 with about `cells` lattice cells across the shorter side. */
export function valueNoise(t: Torus, x: number, y: number, cellsX: number, cellsY: number, salt = 0): number {
  const nx = Math.max(1, cellsX);
  const ny = Math.max(1, cellsY);
  const fx = Math.floor((x * nx * 256) / t.w);
  const fy = Math.floor((y * ny * 256) / t.h);
  const gx = fx >> 8;
  const gy = fy >> 8;
  const tx = smooth(fx & 255);
  const ty = smooth(fy & 255);
  const a = lattice(t, gx, gy, nx, ny, salt);
  const b = lattice(t, gx + 1, gy, nx, ny, salt);
  const c = lattice(t, gx, gy + 1, nx, ny, salt);
  const d = lattice(t, gx + 1, gy + 1, nx, ny, salt);
  const top = a * (256 - tx) + b * tx;
  const bottom = c * (256 - tx) + d * tx;
  return (top * (256 - ty) + bottom * ty) >> 16;
}

function smooth(t: number): number {
  return (t * t * (768 - 2 * t)) >> 16;
}

/** Two octaves of value noise, 0..255. */
export function fbm(t: Torus, x: number, y: number, cells: number, salt = 0): number {
  const cx = Math.max(1, Math.round((cells * t.w) / Math.min(t.w, t.h)));
  const cy = Math.max(1, Math.round((cells * t.h) / Math.min(t.w, t.h)));
  const a = valueNoise(t, x, y, cx, cy, salt);
  const b = valueNoise(t, x, y, cx * 2, cy * 2, salt + 1);
  const c = valueNoise(t, x, y, cx * 4, cy * 4, salt + 2);
  return (a * 9 + b * 5 + c * 2) >> 4;
}

/** A per-pixel random byte that respects the wrap (x and y taken modulo the size). */
export function grain(t: Torus, x: number, y: number, salt = 0): number {
  return hash32(t.seed, salt + 1000, wx(t, x), wy(t, y)) & 0xff;
}

/**
 * Worley cells on the torus: for a pixel, the squared distances to the nearest and second-nearest
 * feature point, and which cell the nearest belongs to. Stones, cobbles and scales come from this.
 */
export function worley(t: Torus, x: number, y: number, cellsX: number, cellsY: number, salt = 0): { d1: number; d2: number; id: number } {
  const nx = Math.max(1, cellsX);
  const ny = Math.max(1, cellsY);
  // Work in units of 1/256 pixel so everything stays integer.
  const px = x * 256 + 128;
  const py = y * 256 + 128;
  const gx = Math.floor((x * nx) / t.w);
  const gy = Math.floor((y * ny) / t.h);
  let d1 = Infinity;
  let d2 = Infinity;
  let id = 0;
  for (let dy = -1; dy <= 1; dy++) {
    for (let dx = -1; dx <= 1; dx++) {
      const cx = gx + dx;
      const cy = gy + dy;
      const ix = t.wrapX ? ((cx % nx) + nx) % nx : cx;
      const iy = t.wrapY ? ((cy % ny) + ny) % ny : cy;
      const hsh = hash32(t.seed, salt + 2000, ix, iy);
      // The feature point sits somewhere inside its cell (kept off the very edge).
      const fx = Math.floor((cx * t.w * 256) / nx) + Math.floor((((hsh & 0xff) * 160 + 48 * 256) * t.w) / nx / 256);
      const fy = Math.floor((cy * t.h * 256) / ny) + Math.floor(((((hsh >>> 8) & 0xff) * 160 + 48 * 256) * t.h) / ny / 256);
      const ddx = (px - fx) >> 4;
      const ddy = (py - fy) >> 4;
      const d = ddx * ddx + ddy * ddy;
      if (d < d1) {
        d2 = d1;
        d1 = d;
        id = ix * 7919 + iy * 104729;
      } else if (d < d2) d2 = d;
    }
  }
  return { d1, d2, id };
}
