import { RetroSpritesError } from '../errors.js';
import { createImage, type RgbaImage } from './bitmap.js';
import { walkGif, type GifFrameBlock } from './gif-blocks.js';
import { decodeLzw } from './gif-lzw.js';
import { MAX_DECODE_PIXELS } from './png.js';

/** A GIF with more frames than this is refused: no sprite animation needs it, a bomb might. */
export const MAX_GIF_FRAMES = 1024;
/** Refuse GIFs whose composited frames would together exceed this many pixels (~256 MB of RGBA). */
export const MAX_GIF_TOTAL_PIXELS = 64 * 1024 * 1024;

export interface GifFrame {
  /** The whole canvas as it looks while this frame shows, already composited. */
  image: RgbaImage;
  /** How long the frame plays in a browser (see `gifDelayMs`). */
  durationMs: number;
  /** The delay the file states, in milliseconds (0 without a Graphic Control Extension). */
  declaredDelayMs: number;
}

export interface DecodedGif {
  width: number;
  height: number;
  frames: GifFrame[];
}

export function isGif(bytes: Uint8Array): boolean {
  return bytes.length >= 6 && bytes[0] === 0x47 && bytes[1] === 0x49 && bytes[2] === 0x46;
}

/**
 * Browsers (Chrome, Firefox, Safari) play a delay of 0 or 1 hundredths as 100 ms, because so many
 * GIFs in the wild say 0 and mean "the default"; we copy them so the animation plays as previewed.
 * (Chromium's WebCodecs ImageDecoder reports the stated delay; its animation player clamps.)
 */
export function gifDelayMs(centiseconds: number | undefined): number {
  const cs = centiseconds ?? 0;
  return cs <= 1 ? 100 : cs * 10;
}

/**
 * Decodes a GIF into full canvas frames, as Chromium shows them (the corpus in test/fixtures/gif,
 * checked against Chromium's own decode, is the evidence):
 * - a Graphic Control Extension applies to the next image, whatever extensions lie between; the
 *   last of several wins; an image without one has no transparency, disposal 0 and delay 0;
 * - the canvas starts transparent (the background colour is ignored) and is as large as the
 *   logical screen, grown to hold the first frame if that reaches past it; later frames are clipped;
 * - disposal 2 clears the frame's rectangle to transparent, 3 restores the canvas as it was before
 *   the frame, and so does the undefined value 4 (old decoders read "restore previous" from bit 3);
 *   0, 1 and the undefined 5-7 keep it;
 * - an index past the colour table is opaque black; a frame without any table draws nothing;
 * - a frame whose pixel data ends early, a file that ends inside a block or an undecodable LZW
 *   stream is an error: Chromium refuses to show such a frame, and a cache must not keep it.
 * Limits apply while the blocks are walked, before any pixel is decoded.
 */
export function decodeGif(bytes: Uint8Array, what = 'image'): DecodedGif {
  if (!isGif(bytes)) throw new RetroSpritesError('bad-image', `${what} is not a GIF file`);
  const tooLarge = (message: string) => new RetroSpritesError('image-too-large', `${what} ${message}`);
  let width = 0;
  let height = 0;
  let patchPixels = 0;
  const structure = walkGif(bytes, what, {
    onFrame(frame, index) {
      if (index === 0) {
        ({ width, height } = canvasSize(bytes, frame));
        if (width * height > MAX_DECODE_PIXELS) {
          throw tooLarge(`claims a ${width}x${height} canvas; refusing to decode more than ${MAX_DECODE_PIXELS} pixels`);
        }
      }
      if (index >= MAX_GIF_FRAMES) throw tooLarge(`has more than ${MAX_GIF_FRAMES} frames; refusing to decode it`);
      if (frame.width * frame.height > MAX_DECODE_PIXELS) {
        throw new RetroSpritesError('image-too-large', `${what}: frame ${index} claims ${frame.width}x${frame.height} pixels; refusing more than ${MAX_DECODE_PIXELS}`);
      }
      // Each LZW stream is decoded to its own rectangle, whatever the canvas: a tiny file can claim
      // huge rectangles, so they count against the budget as well as the composited frames do.
      patchPixels += frame.width * frame.height;
      if ((index + 1) * width * height > MAX_GIF_TOTAL_PIXELS || patchPixels > MAX_GIF_TOTAL_PIXELS) {
        throw tooLarge(`has frames of ${width}x${height} past frame ${index}; refusing more than ${MAX_GIF_FRAMES} frames or ${MAX_GIF_TOTAL_PIXELS} pixels in all`);
      }
    },
  });
  if (structure.frames.length === 0) {
    const { screenWidth: w, screenHeight: h } = structure;
    if (w * h > MAX_DECODE_PIXELS) throw tooLarge(`claims a ${w}x${h} canvas; refusing to decode more than ${MAX_DECODE_PIXELS} pixels`);
    throw new RetroSpritesError('bad-image', `${what} is a GIF without any frame`);
  }

  const canvas = createImage(width, height);
  const frames: GifFrame[] = [];
  for (const [index, block] of structure.frames.entries()) {
    const control = block.control;
    const disposal = control?.disposal ?? 0;
    const before = disposal === 3 || disposal === 4 ? canvas.data.slice() : undefined;
    const indices = new Uint8Array(block.width * block.height);
    const lzw = decodeLzw(bytes, block.dataAt, block.minCodeSize, indices);
    if (!lzw.ok) throw new RetroSpritesError('bad-image', `${what}: frame ${index} is corrupt: ${lzw.why}`);
    drawPatch(canvas, block, block.interlaced ? deinterlace(indices, block.width, block.height) : indices, control?.transparentIndex);
    const delayCs = control?.delayCs ?? 0;
    frames.push({ image: { width, height, data: canvas.data.slice() }, durationMs: gifDelayMs(delayCs), declaredDelayMs: delayCs * 10 });

    if (disposal === 2) clearRect(canvas, block);
    else if (before) canvas.data.set(before);
  }
  return { width, height, frames };
}

/** The logical screen, grown to contain the first frame (Chromium's canvas; later frames are clipped). */
function canvasSize(bytes: Uint8Array, first: GifFrameBlock): { width: number; height: number } {
  const screenWidth = bytes[6]! | (bytes[7]! << 8);
  const screenHeight = bytes[8]! | (bytes[9]! << 8);
  return {
    width: Math.max(screenWidth, first.left + first.width),
    height: Math.max(screenHeight, first.top + first.height),
  };
}

/** Rows of an interlaced frame come in four passes: every 8th from 0, every 8th from 4, every 4th from 2, every 2nd from 1. */
function deinterlace(indices: Uint8Array, width: number, height: number): Uint8Array {
  const out = new Uint8Array(indices.length);
  let row = 0;
  for (const [start, step] of [[0, 8], [4, 8], [2, 4], [1, 2]] as const) {
    for (let y = start; y < height; y += step, row++) out.set(indices.subarray(row * width, (row + 1) * width), y * width);
  }
  return out;
}

interface Rect { left: number; top: number; width: number; height: number }

function drawPatch(canvas: RgbaImage, block: GifFrameBlock, indices: Uint8Array, transparent: number | undefined): void {
  const palette = block.palette;
  if (!palette) return;
  const colours = palette.length / 3;
  const x0 = block.left;
  const x1 = Math.min(canvas.width, block.left + block.width);
  const y1 = Math.min(canvas.height, block.top + block.height);
  const out = canvas.data;
  for (let y = block.top; y < y1; y++) {
    let src = (y - block.top) * block.width;
    let dst = (y * canvas.width + x0) * 4;
    for (let x = x0; x < x1; x++, src++, dst += 4) {
      const index = indices[src]!;
      if (index === transparent) continue;
      if (index < colours) {
        out[dst] = palette[index * 3]!;
        out[dst + 1] = palette[index * 3 + 1]!;
        out[dst + 2] = palette[index * 3 + 2]!;
      } else {
        out[dst] = out[dst + 1] = out[dst + 2] = 0;
      }
      out[dst + 3] = 255;
    }
  }
}

function clearRect(canvas: RgbaImage, d: Rect): void {
  const x1 = Math.min(canvas.width, d.left + d.width);
  if (x1 <= d.left) return;
  for (let y = d.top; y < Math.min(canvas.height, d.top + d.height); y++) {
    canvas.data.fill(0, (y * canvas.width + d.left) * 4, (y * canvas.width + x1) * 4);
  }
}
