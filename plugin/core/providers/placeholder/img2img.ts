import { createImage, type RgbaImage } from '../../image/bitmap.js';
import { decodePng } from '../../image/png.js';
import { colourDistance, mix, type Rgb } from './palette.js';
import { ALPHA_CUTOFF, mapToPalette, medianCut, resize } from './quantize.js';

/** What the API's examples use when `strength` is left out. */
export const DEFAULT_STRENGTH = 0.8;

export function decodeInputImage(base64: string): RgbaImage {
  return decodePng(new Uint8Array(Buffer.from(base64, 'base64')), 'input_image');
}

/**
 * img2img without a model: the input, downscaled to the requested size, is blended toward the
 * procedural drawing by `strength` (0 keeps the input, 1 leans most of the way to the drawing),
 * then reduced to a pixel-art palette and outlined. Low strength therefore stays close to the input.
 */
export function deriveFromInput(input: RgbaImage, drawn: RgbaImage, strength: number, removeBg: boolean): RgbaImage {
  const w = drawn.width;
  const h = drawn.height;
  const src = resize(input, w, h);
  if (removeBg) clearBackground(src);
  const s = Number.isFinite(strength) ? Math.min(1, Math.max(0, strength)) : DEFAULT_STRENGTH;
  // Never all the way to the drawing: the result must still come from the input.
  const t = Math.round(s * 192);
  const blended = createImage(w, h);
  for (let i = 0; i < blended.data.length; i += 4) {
    const srcOn = src.data[i + 3]! >= ALPHA_CUTOFF;
    const drawnOn = drawn.data[i + 3]! >= ALPHA_CUTOFF;
    // Opacity follows the input at low strength and the drawing at high strength.
    const on = t < 96 ? srcOn : drawnOn || srcOn;
    if (!on) continue;
    const a: Rgb = srcOn ? [src.data[i]!, src.data[i + 1]!, src.data[i + 2]!] : [drawn.data[i]!, drawn.data[i + 1]!, drawn.data[i + 2]!];
    const b: Rgb = drawnOn ? [drawn.data[i]!, drawn.data[i + 1]!, drawn.data[i + 2]!] : a;
    const c = mix(a, b, t);
    blended.data[i] = c[0];
    blended.data[i + 1] = c[1];
    blended.data[i + 2] = c[2];
    blended.data[i + 3] = 255;
  }
  // More colours at low strength keep the input's look; fewer at high strength read as pixel art.
  const colours = s < 0.3 ? 32 : s < 0.6 ? 24 : 16;
  const quantized = mapToPalette(blended, medianCut(blended, colours));
  return outline(quantized);
}

/** Transparent where the border colour floods in: a plain backdrop becomes no backdrop. */
function clearBackground(img: RgbaImage): void {
  const { width: w, height: h, data } = img;
  const at = (x: number, y: number): Rgb => {
    const i = (y * w + x) * 4;
    return [data[i]!, data[i + 1]!, data[i + 2]!];
  };
  const key = at(0, 0);
  const tolerance = 40 * 40 * 9;
  const seen = new Uint8Array(w * h);
  const stack: number[] = [];
  for (let x = 0; x < w; x++) stack.push(x, (h - 1) * w + x);
  for (let y = 0; y < h; y++) stack.push(y * w, y * w + w - 1);
  while (stack.length > 0) {
    const p = stack.pop()!;
    if (seen[p]) continue;
    seen[p] = 1;
    const x = p % w;
    const y = (p - x) / w;
    if (colourDistance(at(x, y), key) > tolerance) continue;
    data[p * 4 + 3] = 0;
    if (x > 0) stack.push(p - 1);
    if (x < w - 1) stack.push(p + 1);
    if (y > 0) stack.push(p - w);
    if (y < h - 1) stack.push(p + w);
  }
}

/** Darkens the rim of the silhouette (pixels that touch transparency), the pixel-art outline. */
function outline(img: RgbaImage): RgbaImage {
  const { width: w, height: h, data } = img;
  const out = createImage(w, h);
  out.data.set(data);
  const clear = (x: number, y: number): boolean => x < 0 || y < 0 || x >= w || y >= h ? false : data[(y * w + x) * 4 + 3]! < ALPHA_CUTOFF;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 4;
      if (data[i + 3]! < ALPHA_CUTOFF) continue;
      if (!(clear(x - 1, y) || clear(x + 1, y) || clear(x, y - 1) || clear(x, y + 1))) continue;
      const c = mix([data[i]!, data[i + 1]!, data[i + 2]!], [20, 14, 36], 170);
      out.data[i] = c[0];
      out.data[i + 1] = c[1];
      out.data[i + 2] = c[2];
    }
  }
  return out;
}
