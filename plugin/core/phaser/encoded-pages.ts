import type { RgbaImage } from '../image/bitmap.js';
import { encodePngCompact, type PngEffort } from '../image/png-encode.js';

/**
 * Encoded pages by the bitmap they came from: an atlas that was not rebuilt keeps its bitmaps, so a
 * dev update re-encodes only the atlases that changed, and a page store can hand in bytes it has.
 */
const memo = new WeakMap<RgbaImage, Partial<Record<PngEffort, Uint8Array>>>();

function slot(image: RgbaImage): Partial<Record<PngEffort, Uint8Array>> {
  let byEffort = memo.get(image);
  if (!byEffort) memo.set(image, (byEffort = {}));
  return byEffort;
}

export function encodePage(image: RgbaImage, effort: PngEffort): Uint8Array {
  return (slot(image)[effort] ??= encodePngCompact(image, { effort }));
}

/** The encoding of `image`, if it was made or handed in already. */
export function encodedPage(image: RgbaImage, effort: PngEffort): Uint8Array | undefined {
  return memo.get(image)?.[effort];
}

/** Hands in an encoding made earlier (read from disk), so `encodePage` need not make it again. */
export function rememberEncodedPage(image: RgbaImage, effort: PngEffort, bytes: Uint8Array): void {
  slot(image)[effort] = bytes;
}
