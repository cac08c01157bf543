import { createImage, type RgbaImage } from '../image/bitmap.js';

/** 3x5 digits, row by row (bit 2 = left column), for labelling variants by seed without a font file. */
const DIGITS: Record<string, number[]> = {
  0: [7, 5, 5, 5, 7], 1: [2, 6, 2, 2, 7], 2: [7, 1, 7, 4, 7], 3: [7, 1, 7, 1, 7], 4: [5, 5, 7, 1, 1],
  5: [7, 4, 7, 1, 7], 6: [7, 4, 7, 5, 7], 7: [7, 1, 1, 1, 1], 8: [7, 5, 7, 5, 7], 9: [7, 5, 7, 1, 7],
};
const GAP = 8;
const BACKGROUND = [40, 36, 52, 255];
const INK = [240, 236, 220, 255];

function fill(img: RgbaImage, x: number, y: number, w: number, h: number, rgba: number[]): void {
  for (let yy = y; yy < y + h; yy++) for (let xx = x; xx < x + w; xx++) img.data.set(rgba, (yy * img.width + xx) * 4);
}

function drawNumber(img: RgbaImage, text: string, x: number, y: number, scale: number): void {
  [...text].forEach((ch, i) => {
    const rows = DIGITS[ch];
    if (!rows) return;
    rows.forEach((bits, r) => {
      for (let c = 0; c < 3; c++) if (bits & (4 >> c)) fill(img, x + (i * 4 + c) * scale, y + r * scale, scale, scale, INK);
    });
  });
}

/**
 * Variants side by side, enlarged by a whole factor so small sprites can be judged, each over its
 * seed: a picture to look at, not an asset.
 */
export function contactSheet(variants: { seed: number; image: RgbaImage }[]): RgbaImage {
  const tallest = Math.max(1, ...variants.map((v) => v.image.height));
  const k = Math.max(1, Math.min(8, Math.floor(128 / tallest)));
  const labelScale = 2;
  const labelH = 5 * labelScale + GAP;
  const cellW = (v: { seed: number; image: RgbaImage }) => Math.max(v.image.width * k, String(v.seed).length * 4 * labelScale);
  const width = GAP + variants.reduce((s, v) => s + cellW(v) + GAP, 0);
  const height = GAP + tallest * k + GAP + labelH;
  const sheet = createImage(width, height);
  fill(sheet, 0, 0, width, height, BACKGROUND);
  let x = GAP;
  for (const v of variants) {
    for (let y = 0; y < v.image.height * k; y++) {
      for (let xx = 0; xx < v.image.width * k; xx++) {
        const s = (Math.floor(y / k) * v.image.width + Math.floor(xx / k)) * 4;
        const a = v.image.data[s + 3]! / 255;
        const o = ((GAP + y) * width + x + xx) * 4;
        for (let c = 0; c < 3; c++) sheet.data[o + c] = Math.round(v.image.data[s + c]! * a + sheet.data[o + c]! * (1 - a));
      }
    }
    drawNumber(sheet, String(v.seed), x, GAP + tallest * k + GAP, labelScale);
    x += cellW(v) + GAP;
  }
  return sheet;
}
