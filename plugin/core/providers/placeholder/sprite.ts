import { createImage, type RgbaImage } from '../../image/bitmap.js';
import { ramp, type Ramp, type Rgb } from './palette.js';

/**
 * A drawing in materials rather than colours: shapes say which material a pixel is, and `toImage`
 * shades every material from the light (top-left) and outlines the silhouette. That is what makes
 * three shade steps and a dark outline come out of a handful of ellipses and rectangles.
 */
export class Sprite {
  readonly w: number;
  readonly h: number;
  private readonly mat: Int16Array;
  private readonly shade: Int8Array;
  private readonly ink: (Rgb | undefined)[];
  private readonly ramps: Ramp[] = [];

  constructor(w: number, h: number) {
    this.w = w;
    this.h = h;
    this.mat = new Int16Array(w * h).fill(-1);
    this.shade = new Int8Array(w * h).fill(-1);
    this.ink = new Array<Rgb | undefined>(w * h);
  }

  material(base: Rgb | Ramp): number {
    this.ramps.push(base.length === 5 ? (base as Ramp) : ramp(base as Rgb));
    return this.ramps.length - 1;
  }

  rampOf(m: number): Ramp {
    return this.ramps[m]!;
  }

  inside(x: number, y: number): boolean {
    return x >= 0 && y >= 0 && x < this.w && y < this.h;
  }

  get(x: number, y: number): number {
    return this.inside(x, y) ? this.mat[y * this.w + x]! : -1;
  }

  /** Paint a pixel with a material; `shade` pins a shade step instead of the automatic one. */
  set(x: number, y: number, m: number, shade = -1): void {
    if (!this.inside(x, y)) return;
    const i = y * this.w + x;
    this.mat[i] = m;
    this.shade[i] = shade;
    this.ink[i] = undefined;
  }

  /** A pixel of an exact colour (eyes, glints): counts as part of the silhouette, never reshaded. */
  dot(x: number, y: number, c: Rgb): void {
    if (!this.inside(x, y)) return;
    const i = y * this.w + x;
    if (this.mat[i] === -1) this.mat[i] = 0;
    this.ink[i] = c;
  }

  clear(x: number, y: number): void {
    if (!this.inside(x, y)) return;
    const i = y * this.w + x;
    this.mat[i] = -1;
    this.shade[i] = -1;
    this.ink[i] = undefined;
  }

  rect(x0: number, y0: number, w: number, h: number, m: number, shade = -1): void {
    for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) this.set(x, y, m, shade);
  }

  /** Filled ellipse inscribed in the inclusive box; integer test on pixel centres, so it stays symmetric. */
  ellipse(x0: number, y0: number, x1: number, y1: number, m: number, shade = -1): void {
    forEllipse(x0, y0, x1, y1, (x, y) => this.set(x, y, m, shade));
  }

  /** Filled triangle-ish polygon by scanline, vertices in any order. */
  polygon(points: readonly (readonly [number, number])[], m: number, shade = -1): void {
    let minY = Infinity;
    let maxY = -Infinity;
    for (const [, y] of points) {
      minY = Math.min(minY, y);
      maxY = Math.max(maxY, y);
    }
    for (let y = Math.floor(minY); y <= Math.ceil(maxY); y++) {
      const xs: number[] = [];
      const cy = y + 0.5;
      for (let i = 0; i < points.length; i++) {
        const [ax, ay] = points[i]!;
        const [bx, by] = points[(i + 1) % points.length]!;
        if ((ay <= cy && by > cy) || (by <= cy && ay > cy)) xs.push(ax + ((cy - ay) * (bx - ax)) / (by - ay));
      }
      xs.sort((a, b) => a - b);
      for (let k = 0; k + 1 < xs.length; k += 2) {
        for (let x = Math.round(xs[k]!); x < Math.round(xs[k + 1]!); x++) this.set(x, y, m, shade);
      }
    }
  }

  line(x0: number, y0: number, x1: number, y1: number, m: number, shade = -1): void {
    forLine(x0, y0, x1, y1, (x, y) => this.set(x, y, m, shade));
  }

  /**
   * Copies the left half of the columns [x0, x0 + w) onto the right half (the whole canvas by
   * default), so the silhouette is exactly mirror-symmetric.
   */
  mirrorX(x0 = 0, w = this.w): void {
    const half = w >> 1;
    for (let y = 0; y < this.h; y++) {
      for (let x = x0; x < x0 + half; x++) {
        const mx = 2 * x0 + w - 1 - x;
        if (!this.inside(x, y) || !this.inside(mx, y)) continue;
        const from = y * this.w + x;
        const to = y * this.w + mx;
        this.mat[to] = this.mat[from]!;
        this.shade[to] = this.shade[from]!;
        this.ink[to] = this.ink[from];
      }
    }
  }

  /** Moves everything by (dx, dy); what leaves the canvas is lost. */
  shift(dx: number, dy: number): void {
    const mat = this.mat.slice();
    const shade = this.shade.slice();
    const ink = this.ink.slice();
    this.mat.fill(-1);
    this.shade.fill(-1);
    this.ink.fill(undefined);
    for (let y = 0; y < this.h; y++) {
      for (let x = 0; x < this.w; x++) {
        const nx = x + dx;
        const ny = y + dy;
        if (!this.inside(nx, ny)) continue;
        const from = y * this.w + x;
        const to = ny * this.w + nx;
        this.mat[to] = mat[from]!;
        this.shade[to] = shade[from]!;
        this.ink[to] = ink[from];
      }
    }
  }

  /** Copies every painted pixel of `src` onto this sprite at an offset, materials and all. */
  paste(src: Sprite, ox: number, oy: number): void {
    const base = this.ramps.length;
    this.ramps.push(...src.ramps);
    for (let y = 0; y < src.h; y++) {
      for (let x = 0; x < src.w; x++) {
        const i = y * src.w + x;
        const m = src.mat[i]!;
        if (m < 0 || !this.inside(x + ox, y + oy)) continue;
        const j = (y + oy) * this.w + x + ox;
        this.mat[j] = m + base;
        this.shade[j] = src.shade[i]!;
        this.ink[j] = src.ink[i];
      }
    }
  }

  /** Mirrors the whole drawing left-right (a left-facing pose becomes right-facing). */
  flipX(): void {
    for (let y = 0; y < this.h; y++) {
      for (let x = 0; x < this.w >> 1; x++) {
        const a = y * this.w + x;
        const b = y * this.w + (this.w - 1 - x);
        swap(this.mat, a, b);
        swap(this.shade, a, b);
        const t = this.ink[a];
        this.ink[a] = this.ink[b];
        this.ink[b] = t;
      }
    }
  }

  bounds(): { x0: number; y0: number; x1: number; y1: number } | undefined {
    let x0 = this.w;
    let y0 = this.h;
    let x1 = -1;
    let y1 = -1;
    for (let y = 0; y < this.h; y++) {
      for (let x = 0; x < this.w; x++) {
        if (this.mat[y * this.w + x] === -1) continue;
        x0 = Math.min(x0, x);
        y0 = Math.min(y0, y);
        x1 = Math.max(x1, x);
        y1 = Math.max(y1, y);
      }
    }
    return x1 < 0 ? undefined : { x0, y0, x1, y1 };
  }

  /**
   * Shades and outlines. `band` is how thick the shadow on the lower-right of each material is;
   * `outline` draws the one-pixel dark rim (each rim pixel takes the darkest shade of what it borders).
   */
  toImage(opts: { background?: Rgb; outline?: boolean; band?: number; flat?: boolean } = {}): RgbaImage {
    const { w, h } = this;
    const img = createImage(w, h);
    const band = Math.max(1, opts.band ?? Math.max(1, Math.round(Math.min(w, h) / 14)));
    const same = (x: number, y: number, m: number): boolean => this.get(x, y) === m;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const i = y * w + x;
        const m = this.mat[i]!;
        const o = i * 4;
        if (m === -1) {
          if (opts.background) writeRgb(img.data, o, opts.background);
          continue;
        }
        const fixed = this.ink[i];
        if (fixed) {
          writeRgb(img.data, o, fixed);
          continue;
        }
        let s = this.shade[i]!;
        if (s < 0) {
          if (opts.flat) s = 2;
          else {
            const litTop = !same(x, y - 1, m);
            const litLeft = !same(x - 1, y, m);
            let dark = false;
            for (let k = 1; k <= band && !dark; k++) if (!same(x, y + k, m) || !same(x + k, y, m)) dark = true;
            if (litTop && litLeft) s = 4;
            else if (litTop || litLeft) s = 3;
            else if (dark) s = 1;
            else s = 2;
          }
        }
        writeRgb(img.data, o, this.ramps[m]![s]!);
      }
    }
    if (opts.outline !== false) {
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          if (this.mat[y * w + x] !== -1) continue;
          const n = this.neighbourMaterial(x, y);
          if (n < 0) continue;
          writeRgb(img.data, (y * w + x) * 4, this.ramps[n]![0]);
        }
      }
    }
    return img;
  }

  private neighbourMaterial(x: number, y: number): number {
    // Prefer the darkest-looking neighbour so the rim reads as one line.
    const around = [this.get(x, y - 1), this.get(x - 1, y), this.get(x + 1, y), this.get(x, y + 1)];
    let best = -1;
    for (const m of around) if (m >= 0 && (best < 0 || m < best)) best = m;
    return best;
  }
}

function swap(arr: Int16Array | Int8Array, a: number, b: number): void {
  const t = arr[a]!;
  arr[a] = arr[b]!;
  arr[b] = t;
}

function writeRgb(data: Uint8Array, o: number, c: Rgb): void {
  data[o] = c[0];
  data[o + 1] = c[1];
  data[o + 2] = c[2];
  data[o + 3] = 255;
}

export function forEllipse(x0: number, y0: number, x1: number, y1: number, fn: (x: number, y: number) => void): void {
  const rw = x1 - x0 + 1;
  const rh = y1 - y0 + 1;
  if (rw <= 0 || rh <= 0) return;
  const rw2 = rw * rw;
  const rh2 = rh * rh;
  for (let y = y0; y <= y1; y++) {
    const dy = 2 * y + 1 - (y0 + y1 + 1);
    for (let x = x0; x <= x1; x++) {
      const dx = 2 * x + 1 - (x0 + x1 + 1);
      if (dx * dx * rh2 + dy * dy * rw2 <= rw2 * rh2) fn(x, y);
    }
  }
}

export function forLine(x0: number, y0: number, x1: number, y1: number, fn: (x: number, y: number) => void): void {
  let x = x0;
  let y = y0;
  const dx = Math.abs(x1 - x0);
  const dy = -Math.abs(y1 - y0);
  const sx = x0 < x1 ? 1 : -1;
  const sy = y0 < y1 ? 1 : -1;
  let err = dx + dy;
  for (;;) {
    fn(x, y);
    if (x === x1 && y === y1) return;
    const e2 = 2 * err;
    if (e2 >= dy) {
      err += dy;
      x += sx;
    }
    if (e2 <= dx) {
      err += dx;
      y += sy;
    }
  }
}
