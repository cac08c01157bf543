import { decompressFrame, parseGIF, type ParsedGif } from 'gifuct-js';
import { RetroSpritesError } from '../errors.js';
import { createImage, type RgbaImage } from './bitmap.js';
import { MAX_DECODE_PIXELS } from './png.js';

/** A GIF with more frames than this is refused: no sprite animation needs it, a bomb might. */
export const MAX_GIF_FRAMES = 1024;
/** Refuse GIFs whose composited frames would together exceed this many pixels (~256 MB of RGBA). */
export const MAX_GIF_TOTAL_PIXELS = 64 * 1024 * 1024;

export interface GifFrame {
  /** The whole canvas as it looks while this frame shows, already composited. */
  image: RgbaImage;
  durationMs: number;
}

export interface DecodedGif {
  width: number;
  height: number;
  frames: GifFrame[];
}

type ImageBlock = Extract<ParsedGif['frames'][number], { image: unknown }>;

export function isGif(bytes: Uint8Array): boolean {
  return bytes.length >= 6 && bytes[0] === 0x47 && bytes[1] === 0x49 && bytes[2] === 0x46;
}

/**
 * Browsers (Chrome, Firefox, Safari) play a delay of 0 or 1 hundredths as 100 ms, because so many
 * GIFs in the wild say 0 and mean "the default"; we copy them so the animation plays as previewed.
 */
export function gifDelayMs(centiseconds: number | undefined): number {
  const cs = centiseconds ?? 0;
  return cs <= 1 ? 100 : cs * 10;
}

/**
 * Decodes a GIF into full canvas frames, compositing as browsers do: disposal 0/1 keeps the frame,
 * 2 clears its rectangle to transparent (browsers ignore the background colour), 3 restores the
 * canvas as it was before the frame. Patches may lie partly outside the canvas; that part is dropped.
 */
export function decodeGif(bytes: Uint8Array, what = 'image'): DecodedGif {
  if (!isGif(bytes)) throw new RetroSpritesError('bad-image', `${what} is not a GIF file`);
  let gif: ParsedGif;
  try {
    const copy = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    gif = parseGIF(copy);
  } catch (err) {
    throw new RetroSpritesError('bad-image', `${what} is not a valid GIF: ${(err as Error).message}`, { cause: err });
  }
  const width = gif.lsd?.width ?? 0;
  const height = gif.lsd?.height ?? 0;
  if (width === 0 || height === 0 || width * height > MAX_DECODE_PIXELS) {
    throw new RetroSpritesError(
      'image-too-large',
      `${what} claims a ${width}x${height} canvas; refusing to decode more than ${MAX_DECODE_PIXELS} pixels`,
    );
  }
  const blocks = gif.frames.filter((f): f is ImageBlock => 'image' in f && !!f.image);
  if (blocks.length === 0) throw new RetroSpritesError('bad-image', `${what} is a GIF without any frame`);
  // Each frame's LZW stream is decoded to its own rectangle, whatever the canvas: a tiny file can
  // claim huge rectangles on a 1x1 canvas, so they count against the budget too, before any decoding.
  const patchPixels = blocks.reduce((n, b) => n + b.image.descriptor.width * b.image.descriptor.height, 0);
  if (blocks.length > MAX_GIF_FRAMES || blocks.length * width * height > MAX_GIF_TOTAL_PIXELS || patchPixels > MAX_GIF_TOTAL_PIXELS) {
    throw new RetroSpritesError(
      'image-too-large',
      `${what} has ${blocks.length} frames of ${width}x${height}; refusing more than ${MAX_GIF_FRAMES} frames or ${MAX_GIF_TOTAL_PIXELS} pixels in all`,
    );
  }

  const canvas = createImage(width, height);
  const frames: GifFrame[] = [];
  for (const [index, block] of blocks.entries()) {
    const d = block.image.descriptor;
    if (d.width * d.height > MAX_DECODE_PIXELS) {
      throw new RetroSpritesError(
        'image-too-large',
        `${what}: frame ${index} claims ${d.width}x${d.height} pixels; refusing more than ${MAX_DECODE_PIXELS}`,
      );
    }
    const gce = (block as Partial<ImageBlock>).gce as { delay?: number; transparentColorIndex?: number; extras?: { disposal?: number; transparentColorGiven?: boolean } } | undefined;
    const disposal = gce?.extras?.disposal ?? 0;
    const transparent = gce?.extras?.transparentColorGiven ? gce.transparentColorIndex : undefined;
    const before = disposal === 3 ? canvas.data.slice() : undefined;

    let decoded: { pixels: ArrayLike<number>; colorTable: [number, number, number][] } | undefined;
    try {
      decoded = decompressFrame(block as never, gif.gct, false) as unknown as typeof decoded;
    } catch (err) {
      throw new RetroSpritesError('bad-image', `${what}: frame ${index} is corrupt: ${(err as Error).message}`, { cause: err });
    }
    if (!decoded) throw new RetroSpritesError('bad-image', `${what}: frame ${index} is corrupt: it has no image data`);
    const pixels = decoded.pixels;
    const table: ArrayLike<[number, number, number]> = decoded.colorTable ?? [];
    drawPatch(canvas, d, pixels, table, transparent);
    frames.push({ image: { width, height, data: canvas.data.slice() }, durationMs: gifDelayMs(gce?.delay) });

    if (disposal === 2) clearRect(canvas, d);
    else if (disposal === 3 && before) canvas.data.set(before);
  }
  return { width, height, frames };
}

interface Rect { left: number; top: number; width: number; height: number }

function drawPatch(
  canvas: RgbaImage,
  d: Rect,
  pixels: ArrayLike<number>,
  table: ArrayLike<[number, number, number]>,
  transparent: number | undefined,
): void {
  const x0 = Math.max(0, d.left);
  const y0 = Math.max(0, d.top);
  const x1 = Math.min(canvas.width, d.left + d.width);
  const y1 = Math.min(canvas.height, d.top + d.height);
  const out = canvas.data;
  for (let y = y0; y < y1; y++) {
    let src = (y - d.top) * d.width + (x0 - d.left);
    let dst = (y * canvas.width + x0) * 4;
    for (let x = x0; x < x1; x++, src++, dst += 4) {
      const index = pixels[src];
      // Pixels past the end of a short LZW stream, and the transparent index, leave the canvas as it is.
      if (index === undefined || index === transparent) continue;
      const colour = table[index];
      // An index outside the table is black, as browsers draw it.
      out[dst] = colour ? colour[0] : 0;
      out[dst + 1] = colour ? colour[1] : 0;
      out[dst + 2] = colour ? colour[2] : 0;
      out[dst + 3] = 255;
    }
  }
}

function clearRect(canvas: RgbaImage, d: Rect): void {
  const x0 = Math.max(0, d.left);
  const x1 = Math.min(canvas.width, d.left + d.width);
  if (x1 <= x0) return;
  for (let y = Math.max(0, d.top); y < Math.min(canvas.height, d.top + d.height); y++) {
    canvas.data.fill(0, (y * canvas.width + x0) * 4, (y * canvas.width + x1) * 4);
  }
}
