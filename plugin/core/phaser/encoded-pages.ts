import type { RgbaImage } from '../image/bitmap.js';
import { encodePngCompact, encodePngCompactAsync, type PngEffort } from '../image/png-encode.js';
import { runPool } from '../pool.js';

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

/** Pages compressed at once: libuv's pool has four threads, and each page holds its filtered copies. */
const PAGES_AT_ONCE = 4;

/** Encodes the pages not encoded yet side by side, so the `encodePage` calls that follow find them made. */
export async function encodePagesAhead(images: readonly RgbaImage[], effort: PngEffort): Promise<void> {
  const todo = images.filter((image) => !encodedPage(image, effort));
  await runPool(todo, PAGES_AT_ONCE, async (image) => rememberEncodedPage(image, effort, await encodePngCompactAsync(image, { effort })));
}
