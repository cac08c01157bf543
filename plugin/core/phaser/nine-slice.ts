import { RetroSpritesError } from '../errors.js';
import type { RgbaImage } from '../image/bitmap.js';
import type { NineSliceBorders } from '../request.js';

/** Phaser's `scale9Borders` of a frame: the centre rectangle, which stretches (Frame#setScale9). */
export interface Scale9 { x: number; y: number; w: number; h: number }

function sameColumn(img: RgbaImage, a: number, b: number): boolean {
  for (let y = 0; y < img.height; y++) {
    const i = (y * img.width + a) * 4;
    const j = (y * img.width + b) * 4;
    for (let k = 0; k < 4; k++) if (img.data[i + k] !== img.data[j + k]) return false;
  }
  return true;
}

function sameRow(img: RgbaImage, a: number, b: number): boolean {
  const i = a * img.width * 4;
  const j = b * img.width * 4;
  for (let k = 0; k < img.width * 4; k++) if (img.data[i + k] !== img.data[j + k]) return false;
  return true;
}

/** The widest run of indexes around the centre equal to the centre one. */
function run(n: number, same: (a: number, b: number) => boolean): [number, number] {
  const c = n >> 1;
  let lo = c;
  let hi = c;
  while (lo > 0 && same(lo - 1, c)) lo--;
  while (hi < n - 1 && same(hi + 1, c)) hi++;
  return [lo, hi];
}

/**
 * `nine_slice: auto`: the borders are what lies around the image's uniform middle, the columns
 * (and rows) around the centre that repeat the centre one exactly; stretching repeats exactly those.
 */
export function autoBorders(img: RgbaImage, what: string): NineSliceBorders {
  const [l, r] = run(img.width, (a, b) => sameColumn(img, a, b));
  const [t, b] = run(img.height, (a, c) => sameRow(img, a, c));
  if (r - l < 1 && b - t < 1) {
    throw new RetroSpritesError('layout-mismatch',
      `${what}: nine_slice: auto found no uniform middle to stretch (no two neighbouring columns or rows at the centre are alike); give the borders as nine_slice: {left, right, top, bottom}`);
  }
  return { left: l, right: img.width - 1 - r, top: t, bottom: img.height - 1 - b };
}

export function scale9(b: NineSliceBorders, width: number, height: number): Scale9 {
  return { x: b.left, y: b.top, w: width - b.left - b.right, h: height - b.top - b.bottom };
}
